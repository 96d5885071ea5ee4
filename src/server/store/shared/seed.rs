//! The demo accounts and tickets, seeded into an empty database.

macro_rules! seed_code {
    () => {
        impl Store {
            /// Seeds the demo accounts and tickets in one transaction, only into an empty
            /// database. Returns whether anything was written. Several instances starting at
            /// once on an empty database seed it once (see `before_seed`).
            #[tracing::instrument(skip_all, name = "store.seed_demo")]
            pub async fn seed_demo(&self, accounts: &[DemoAccount]) -> Result<bool, StoreError> {
                use chrono::Duration;
                let mut tx = begin(self.writer()).await?;
                before_seed(&mut tx).await?;
                let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS any_user").fetch_one(&mut *tx).await?;
                if users > 0 {
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
                for (n, (id, requester, title, description, status, priority, category, assignee)) in DEMO_TICKETS.into_iter().enumerate() {
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
                after_seed(&mut tx).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}
pub(crate) use seed_code;
