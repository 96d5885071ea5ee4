//! The mail outbox's store contract, on both backends: a mail is claimed by one sender at a
//! time, waits for its retry, is sent once, keeps its attempts, and counts in the health.

use super::contract_tests::stores;
use super::*;
use crate::domain::{EventKind, Role};
use crate::server::security::PasswordHash;

fn mail(n: usize) -> NewMail {
    NewMail {
        kind: "reply".into(),
        ticket_id: Some(1),
        recipient_id: None,
        to: format!("person{n}@example.com"),
        subject: format!("[#1] Subject {n}"),
        text: "text".into(),
        html: Some("<p>html</p>".into()),
        message_id: format!("m{n}.t1@example.com"),
        thread_id: Some("ticket-1@example.com".into()),
        reply_to: Some("support+t1u2s00@example.com".into()),
    }
}

#[tokio::test]
async fn a_mail_is_claimed_by_one_sender_retried_when_due_and_sent_once() {
    for store in stores("mail_claims").await {
        let kind = store.kind();
        store.queue_mail(&mail(1), 1000).await.unwrap();
        let claimed = store.claim_mail(1000, 300, 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "{kind:?}");
        let m = &claimed[0];
        assert_eq!((m.attempts, m.to_address.as_str(), m.thread_id.as_deref()), (1, "person1@example.com", Some("ticket-1@example.com")), "{kind:?}");
        assert!(store.claim_mail(1001, 300, 10).await.unwrap().is_empty(), "{kind:?}: held by its sender's lease");

        let retry = MailOutcome::Retry { error: "421 busy".into(), at: 1100 };
        store.mails_attempted(1001, &[(m.id, retry.clone())]).await.unwrap();
        assert!(store.claim_mail(1099, 300, 10).await.unwrap().is_empty(), "{kind:?}: not due before its retry");
        let health = store.mail_health(1099).await.unwrap();
        assert_eq!((health.waiting, health.oldest_waiting_secs, health.failed), (1, Some(99), 0), "{kind:?}");
        assert_eq!(health.last_error, Some((1001, "421 busy".to_string())), "{kind:?}");

        let again = store.claim_mail(1100, 300, 10).await.unwrap();
        assert_eq!(again.iter().map(|m| m.attempts).collect::<Vec<_>>(), [2], "{kind:?}");
        store.mails_attempted(1101, &[(m.id, MailOutcome::Sent)]).await.unwrap();
        assert!(store.claim_mail(99_999, 300, 10).await.unwrap().is_empty(), "{kind:?}: sent is done");
        let attempts = store.mail_attempts("m1.t1@example.com").await.unwrap();
        assert_eq!(attempts, [MailAttempt { at: 1001, error: Some("421 busy".into()) }, MailAttempt { at: 1101, error: None }], "{kind:?}");
        assert_eq!(store.mail_health(2000).await.unwrap().waiting, 0, "{kind:?}");
    }
}

#[tokio::test]
async fn a_sender_that_dies_leaves_its_mail_to_be_taken_again_and_given_up_mail_can_be_retried() {
    for store in stores("mail_leases").await {
        let kind = store.kind();
        store.queue_mail(&mail(1), 1000).await.unwrap();
        store.queue_mail(&mail(2), 1000).await.unwrap();
        assert_eq!(store.claim_mail(1000, 300, 1).await.unwrap().len(), 1, "{kind:?}: the batch is bounded");
        let rest = store.claim_mail(1000, 300, 10).await.unwrap();
        assert_eq!(rest.len(), 1, "{kind:?}");
        store.mails_attempted(1000, &[(rest[0].id, MailOutcome::GiveUp { error: "550 no such user".into() })]).await.unwrap();
        // The first sender never reported back: after its lease the mail is taken again.
        assert!(store.claim_mail(1299, 300, 10).await.unwrap().is_empty(), "{kind:?}");
        let retaken = store.claim_mail(1300, 300, 10).await.unwrap();
        assert_eq!((retaken.len(), retaken[0].attempts), (1, 2), "{kind:?}");
        let health = store.mail_health(1300).await.unwrap();
        assert_eq!((health.waiting, health.failed), (1, 1), "{kind:?}");

        assert_eq!(store.retry_mail_now(1301).await.unwrap(), 1, "{kind:?}: the given-up mail; the other is due already");
        let health = store.mail_health(1301).await.unwrap();
        assert_eq!((health.waiting, health.failed), (2, 0), "{kind:?}");
        let fresh = store.claim_mail(1301, 300, 10).await.unwrap();
        assert_eq!(fresh.iter().map(|m| m.attempts).collect::<Vec<_>>(), [1], "{kind:?}: tried afresh; the other is still leased");
    }
}

#[tokio::test]
async fn senders_claiming_at_once_never_take_the_same_mail() {
    for store in stores("mail_race").await {
        let kind = store.kind();
        for n in 0..60 {
            store.queue_mail(&mail(n), 1000).await.unwrap();
        }
        let claims = futures_util::future::join_all((0..6).map(|_| store.claim_mail(1000, 300, 7))).await;
        let mut ids: Vec<i64> = Vec::new();
        for claim in claims {
            ids.extend(claim.unwrap().into_iter().map(|m| m.id));
        }
        let distinct: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len(), "{kind:?}: a mail claimed twice: {ids:?}");
        assert_eq!(ids.len(), 42, "{kind:?}: every claimer took a full batch");
    }
}

#[tokio::test]
async fn a_change_sees_its_people_and_writes_its_mail_only_if_it_commits() {
    for store in stores("mail_changes").await {
        let kind = store.kind();
        let hash = PasswordHash::from_stored("h".into());
        let new = |email: &'static str, role| NewUser { name: "Ann", email, password_hash: &hash, role, department: "", phone: "" };
        let ann = store.insert_user(new("ann@example.com", Role::User), None).await.unwrap().profile.id;
        let boss = store.insert_user(new("boss@example.com", Role::Admin), None).await.unwrap().profile.id;
        store.set_mail_opt_outs(ann, &["status".into(), "reply".into()]).await.unwrap();
        assert_eq!(store.mail_opt_outs(ann).await.unwrap(), ["reply", "status"], "{kind:?}");

        let mut c = store.changes().await.unwrap();
        let t = NewTicket { requester: ann, actor: ann, title: "T", description: "D", category: "technical", priority: crate::domain::Priority::Low, due_at: 0 };
        let id = c.create(t).await.unwrap();
        assert_eq!(c.records().len(), 1, "{kind:?}");
        assert_eq!(c.records()[0].events.iter().map(|e| e.0).collect::<Vec<_>>(), [EventKind::Created], "{kind:?}");
        assert_eq!(c.ticket_text(id).await.unwrap(), Some(("T".into(), "D".into())), "{kind:?}: the change sees its own ticket");
        let people = c.mail_people(&[boss, ann, 999_999]).await.unwrap();
        let read: Vec<_> = people.iter().map(|p| (p.email.as_str(), p.active, p.opted_out.clone())).collect();
        let ann_off = vec!["reply".to_string(), "status".to_string()];
        assert_eq!(read, [("boss@example.com", true, vec![]), ("ann@example.com", true, ann_off)], "{kind:?}: in the order asked");
        assert_eq!(c.admin_ids().await.unwrap(), [boss], "{kind:?}");
        c.queue_mail(&mail(7)).await.unwrap();
        drop(c); // rolled back: neither the ticket nor its mail
        assert_eq!(store.mail_health(i64::MAX / 2).await.unwrap().waiting, 0, "{kind:?}");

        let mut c = store.changes().await.unwrap();
        c.queue_mail(&mail(8)).await.unwrap();
        c.commit().await.unwrap();
        assert_eq!(store.mail_health(i64::MAX / 2).await.unwrap().waiting, 1, "{kind:?}");
    }
}
