use super::*;
use crate::server::security::PasswordHash;

async fn store(schema: &str) -> Option<Store> {
    let url = std::env::var("HELPDESK_TEST_POSTGRES_URL").ok()?;
    Some(Store::connect_in_new_schema(&url, schema, 6).await.unwrap())
}

async fn add(store: &Store, name: &str, email: &str, role: Role) -> Profile {
    let hash = PasswordHash::from_stored("h".to_string());
    let user = NewUser { name, email, password_hash: &hash, role, department: "", phone: "" };
    store.insert_user(user, None).await.unwrap().profile
}

#[tokio::test]
async fn two_super_admins_deactivating_each_other_at_once_leave_one_active() {
    let Some(store) = store("t_users_last_super").await else { return };
    let a = add(&store, "A", "a@x.io", Role::Superadmin).await;
    let b = add(&store, "B", "b@x.io", Role::Superadmin).await;
    let deactivate = |store: Store, p: Profile| async move {
        let change = UserChange { name: &p.name, role: Role::Superadmin, is_active: false, department: "", phone: "" };
        store.update_user(&p, &change, &[]).await
    };
    let (x, y) = tokio::join!(deactivate(store.clone(), a), deactivate(store.clone(), b));
    assert_eq!([x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(), 1, "{x:?} {y:?}");
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'superadmin' AND is_active")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(active, 1);
}

#[tokio::test]
async fn two_super_admins_deleting_each_other_at_once_leave_one() {
    let Some(store) = store("t_users_delete_super").await else { return };
    let a = add(&store, "A", "a@x.io", Role::Superadmin).await;
    let b = add(&store, "B", "b@x.io", Role::Superadmin).await;
    let delete = |store: Store, id: i64, actor: i64| async move {
        let mut c = store.changes().await?;
        let done = c.delete_user(id, actor).await?;
        c.commit().await?;
        Ok::<bool, crate::server::store::StoreError>(done)
    };
    let (x, y) = tokio::join!(delete(store.clone(), a.id, b.id), delete(store.clone(), b.id, a.id));
    assert_eq!([x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(), 1);
    assert_eq!(store.role_counts().await.unwrap().superadmins, 1);
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn emails_are_unique_and_found_in_any_case_and_search_is_literal() {
    let Some(store) = store("t_users_email").await else { return };
    let ann = add(&store, "Ann 100%", "Ann@Example.com", Role::User).await;
    assert_eq!(store.user_by_email("ann@example.COM").await.unwrap().map(|u| u.profile.id), Some(ann.id));
    assert!(store.email_taken("ANN@example.com").await.unwrap());
    let hash = PasswordHash::from_stored("h".to_string());
    let again = NewUser { name: "Other", email: "ann@EXAMPLE.com", password_hash: &hash, role: Role::User, department: "", phone: "" };
    assert!(store.insert_user(again, None).await.is_err(), "a conflict on the address");
    add(&store, "Bob", "bob@corp.test", Role::Agent).await;
    let found = |q: &'static str| {
        let store = store.clone();
        async move { store.list_users(Some(q), None, 1, 20).await.unwrap() }
    };
    assert_eq!(found("EXAMPLE").await.1, 1);
    assert_eq!(found("100%").await.1, 1);
    assert_eq!(found("%").await.1, 1, "a wildcard is a character to look for");
    assert_eq!(store.list_users(None, Some(Role::Agent), 1, 20).await.unwrap().1, 1);
    assert_eq!(store.count_users().await.unwrap(), 2);
}
