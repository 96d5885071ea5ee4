use super::Store;
use crate::domain::{Priority, SlaHours};
use crate::server::store::StoreError;
use crate::server::store::records::*;
use chrono::Duration;

impl Store {
    /// Seeds the demo accounts and tickets in one transaction, only into an empty database.
    /// Returns whether anything was written. Several instances starting at once on an empty
    /// database seed it once: the transaction holds a lock that the others wait for.
    #[tracing::instrument(skip_all, name = "store.seed_demo")]
    pub async fn seed_demo(&self, accounts: &[DemoAccount]) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)").fetch_one(&mut *tx).await?;
        if any {
            return Ok(false);
        }
        let now = written_now();
        for account in accounts {
            sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(account.id)
                .bind(account.name)
                .bind(account.email)
                .bind(account.password_hash.as_str())
                .bind(account.role.as_str())
                .bind(now - Duration::days(30))
                .execute(&mut *tx)
                .await?;
        }
        for (n, (id, requester, title, description, status, priority, category, assignee)) in
            DEMO_TICKETS.into_iter().enumerate()
        {
            let created = now - Duration::days(3 - n as i64);
            let closed = (status == "closed").then(|| created + Duration::hours(5));
            let worked = (status != "open").then(|| created + Duration::hours(1));
            sqlx::query(
                "INSERT INTO tickets (id, user_id, title, description, status, priority, category,
                                      assigned_to, created_at, updated_at, closed_at, resolution_notes, due_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(id)
            .bind(requester)
            .bind(title)
            .bind(description)
            .bind(status)
            .bind(priority)
            .bind(category)
            .bind(assignee)
            .bind(created)
            .bind(closed.or(worked).unwrap_or(created))
            .bind(closed)
            .bind(closed.map(|_| "Export limit raised; the full file downloads now."))
            .bind(SlaHours::default().due(Priority::parse(priority).unwrap_or(Priority::Medium), created).timestamp())
            .execute(&mut *tx)
            .await?;
            let mut history = vec![(requester, "created", "", created)];
            if status != "open" {
                history.push((3, "status", "open → in-progress", created + Duration::hours(1)));
            }
            if let Some(at) = closed {
                history.push((3, "closed", "Export limit raised; the full file downloads now.", at));
            }
            for (actor, kind, detail, at) in history {
                sqlx::query("INSERT INTO ticket_events (ticket_id, actor_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(actor)
                    .bind(kind)
                    .bind(detail)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // Rows inserted with their ids leave the identity sequences behind: the next account
        // or ticket made through the app must get the following id, not collide.
        for table in ["users", "tickets"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::server::security::PasswordHash;

    #[tokio::test]
    async fn the_demo_is_seeded_once_and_new_rows_follow_its_ids() {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
        let store = Store::connect_in_new_schema(&url, "t_seed", 4).await.unwrap();
        let password_hash = PasswordHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_string());
        let people = [
            (1, "Sam", "super@example.com", Role::Superadmin),
            (2, "Ann", "admin@example.com", Role::Admin),
            (3, "Alice", "alice@example.com", Role::Agent),
            (4, "Jane", "jane@example.com", Role::User),
            (5, "Bob", "bob@example.com", Role::User),
        ];
        let accounts: Vec<DemoAccount> = people
            .into_iter()
            .map(|(id, name, email, role)| DemoAccount { id, name, email, role, password_hash: password_hash.clone() })
            .collect();
        let (first, second) = tokio::join!(store.seed_demo(&accounts), store.seed_demo(&accounts));
        assert_eq!([first.unwrap(), second.unwrap()].iter().filter(|seeded| **seeded).count(), 1, "seeded exactly once");
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO users (name, email, password_hash, role, created_at) VALUES ('N', 'n@x.io', 'h', 'user', now()) RETURNING id",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(next, accounts.len() as i64 + 1);
        assert!(super::super::counter_mismatches(&store.pool).await.unwrap().is_empty());
    }
}
