//! The one write path for tickets. Every change to a ticket row (creating, editing, status,
//! assignment, closing, deleting, unassigning a deleted agent's tickets) goes through a
//! `Changes`: one transaction that writes the row (version-checked), its history events and any
//! audit entry; the counters and rollups follow by trigger inside it. `commit` returns what
//! changed, for the services to publish (`TicketChanged`) once it is durable.
//!
//! On SQLite a `Changes` holds the single writer connection until it commits or is dropped
//! (which rolls back): open it after every read the change needs, and read nothing through the
//! store while it is open. On PostgreSQL several run at once, so what SQLite's single writer
//! gave for free is asked for: the ticket row is locked when first read (its before-state is
//! the one the write replaces), and an assignment under the cap first locks the agent's account
//! row, so two assignments to one agent take turns and the second counts the first's ticket.

macro_rules! changes_code {
    () => {
        pub struct Changes {
            tx: Transaction<'static, Db>,
            now: DateTime<Utc>,
            changed: Vec<TicketChanged>,
            records: Vec<ChangeRecord>,
            /// The live events of these changes, written just before the commit.
            live: Vec<crate::domain::LiveRecord>,
        }

        impl Store {
            /// Starts a set of ticket changes that land together or not at all.
            #[tracing::instrument(skip_all, name = "store.changes")]
            pub async fn changes(&self) -> Result<Changes, StoreError> {
                Ok(Changes { tx: begin(self.writer()).await?, now: written_now(), changed: Vec::new(), records: Vec::new(), live: Vec::new() })
            }
        }

        impl Changes {
            /// The requester and state of a ticket, as the write about to be made will replace it
            /// (see `LOCK_FOR_WRITE`).
            async fn state(&mut self, id: i64) -> Result<Option<(i64, TicketState)>, StoreError> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!("SELECT user_id, status, assigned_to FROM tickets WHERE id = $1{LOCK_FOR_WRITE}")
                });
                let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(&SQL).bind(id).fetch_optional(&mut *self.tx).await?;
                Ok(row.map(|(requester, status, assignee)| {
                    (requester, TicketState { status: TicketStatus::parse(&status).unwrap_or(TicketStatus::Open), assignee })
                }))
            }

            /// Inserts a ticket and its "created" event; returns the new id.
            #[tracing::instrument(skip_all, name = "store.changes.create")]
            pub async fn create(&mut self, t: NewTicket<'_>) -> Result<i64, StoreError> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
                     VALUES ($1, $2, $3, $4, $5, 'open', $6, $6, $7) RETURNING id",
                )
                .bind(t.requester)
                .bind(t.title)
                .bind(t.description)
                .bind(t.category)
                .bind(t.priority.as_str())
                .bind(self.now)
                .bind(t.due_at)
                .fetch_one(&mut *self.tx)
                .await?;
                self.events(id, t.actor, &[NewEvent { kind: EventKind::Created, detail: String::new(), internal: false }]).await?;
                let after = TicketState { status: TicketStatus::Open, assignee: None };
                self.changed.push(TicketChanged { id, requester: t.requester, before: None, after: Some(after) });
                let events = vec![(EventKind::Created, false, String::new())];
                self.records.push(ChangeRecord { id, actor: t.actor, requester: t.requester, assignee: None, events });
                self.live_event(id, t.requester, None, Some(after), &[(EventKind::Created, false)]);
                Ok(id)
            }

            /// Applies `update` and records `events`. With `expected_version`, nothing is written
            /// unless the ticket still has that version; with a cap, unless the new assignee still has
            /// room. Returns `false` when it wrote nothing.
            #[tracing::instrument(skip_all, name = "store.changes.update")]
            pub async fn update(
                &mut self,
                id: i64,
                expected_version: Option<i64>,
                actor: i64,
                update: &TicketUpdate,
                events: &[NewEvent],
            ) -> Result<bool, StoreError> {
                if let (Some(agent), Some(_), Some(lock)) = (update.assigned_to, update.max_open_for_assignee, LOCK_AGENT) {
                    // Assignments to one agent take turns (the lock is held to commit), so the count
                    // below includes every assignment that committed before this one.
                    sqlx::query(lock).bind(agent).execute(&mut *self.tx).await?;
                }
                let Some((requester, before)) = self.state(id).await? else { return Ok(false) };
                let mut qb = QueryBuilder::<Db>::new("UPDATE tickets SET updated_at = ");
                qb.push_bind(self.now);
                if update.bump_version {
                    qb.push(", version = version + 1");
                }
                if let Some(v) = &update.title {
                    qb.push(", title = ").push_bind(v.clone());
                }
                if let Some(v) = &update.description {
                    qb.push(", description = ").push_bind(v.clone());
                }
                if let Some(v) = update.status {
                    qb.push(", status = ").push_bind(v.as_str());
                }
                if let Some(v) = update.priority {
                    qb.push(", priority = ").push_bind(v.as_str());
                }
                if let Some(v) = &update.category {
                    qb.push(", category = ").push_bind(v.clone());
                }
                if let Some(v) = update.assigned_to {
                    qb.push(", assigned_to = ").push_bind(v);
                }
                if update.unassign {
                    qb.push(", assigned_to = NULL");
                }
                if let Some(v) = update.due_at {
                    qb.push(", due_at = ").push_bind(v);
                }
                if let Some((at, notes)) = &update.closed {
                    qb.push(", closed_at = ").push_bind(micros(*at)).push(", resolution_notes = ").push_bind(notes.clone());
                }
                qb.push(" WHERE id = ").push_bind(id);
                if let Some(version) = expected_version {
                    qb.push(" AND version = ").push_bind(version);
                }
                // Closed is final: nothing about a closed ticket changes (checked here as well as by
                // the lifecycle, so a change racing a close cannot land after it).
                qb.push(" AND status <> 'closed'");
                if let (Some(agent), Some(cap)) = (update.assigned_to, update.max_open_for_assignee) {
                    qb.push(" AND (SELECT COALESCE(SUM(c.n), 0) FROM ticket_counts c WHERE c.scope = 'assignee' AND c.scope_id = ")
                        .push_bind(agent)
                        .push(" AND c.status <> 'closed') < ")
                        .push_bind(cap);
                }
                // The state the change leaves, in the same round trip (each is made holding the writer).
                qb.push(" RETURNING status, assigned_to");
                let Some((status, assignee)) = qb.build_query_as::<(String, Option<i64>)>().fetch_optional(&mut *self.tx).await? else {
                    return Ok(false);
                };
                self.events(id, actor, events).await?;
                let after = Some(TicketState { status: TicketStatus::parse(&status).unwrap_or(TicketStatus::Open), assignee });
                self.changed.push(TicketChanged { id, requester, before: Some(before), after });
                let flags: Vec<(EventKind, bool)> = events.iter().map(|e| (e.kind, e.internal)).collect();
                self.live_event(id, requester, Some(before), after, &flags);
                let events = events.iter().map(|e| (e.kind, e.internal, e.detail.clone())).collect();
                self.records.push(ChangeRecord { id, actor, requester, assignee: after.and_then(|a| a.assignee), events });
                Ok(true)
            }

            /// Deletes a ticket with its history (the audit log keeps the record of it).
            #[tracing::instrument(skip_all, name = "store.changes.delete")]
            pub async fn delete(&mut self, id: i64) -> Result<bool, StoreError> {
                let Some((requester, before)) = self.state(id).await? else { return Ok(false) };
                sqlx::query("DELETE FROM tickets WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
                self.changed.push(TicketChanged { id, requester, before: Some(before), after: None });
                self.live_event(id, requester, Some(before), None, &[]);
                Ok(true)
            }

            /// Open tickets assigned to an agent (for unassigning them when the agent goes).
            #[tracing::instrument(skip_all, name = "store.changes.open_tickets_of")]
            pub async fn open_tickets_of(&mut self, agent: i64) -> Result<Vec<i64>, StoreError> {
                Ok(sqlx::query_scalar("SELECT id FROM tickets WHERE assigned_to = $1 AND status <> 'closed' ORDER BY id")
                    .bind(agent)
                    .fetch_all(&mut *self.tx)
                    .await?)
            }

            /// The least-loaded active agent with room, counting what this transaction assigned (the
            /// assignment itself is still checked against the cap when written).
            #[tracing::instrument(skip_all, name = "store.changes.least_loaded_agent")]
            pub async fn least_loaded_agent(&mut self, max_open: i64) -> Result<Option<i64>, StoreError> {
                super::reports::least_loaded(&mut *self.tx, max_open).await
            }

            /// An audit entry that lands with the change it records, or not at all.
            #[tracing::instrument(skip_all, name = "store.changes.audit")]
            pub async fn audit(&mut self, r: AuditRecord<'_>) -> Result<(), StoreError> {
                insert_audit(&mut self.tx, self.now, r).await
            }

            /// The transaction, for the writes of other tables that belong to the same change.
            pub(in crate::server::store) fn tx(&mut self) -> &mut Transaction<'static, Db> {
                &mut self.tx
            }

            /// Writes a change's history entries, in order, in one statement.
            async fn events(&mut self, id: i64, actor: i64, events: &[NewEvent]) -> Result<(), StoreError> {
                if events.is_empty() {
                    return Ok(());
                }
                let mut qb = QueryBuilder::<Db>::new("INSERT INTO ticket_events (ticket_id, actor_id, kind, detail, internal, created_at) ");
                qb.push_values(events, |mut row, event| {
                    row.push_bind(id)
                        .push_bind(actor)
                        .push_bind(event.kind.as_str())
                        .push_bind(event.detail.as_str())
                        .push_bind(event.internal)
                        .push_bind(self.now);
                });
                qb.build().execute(&mut *self.tx).await?;
                Ok(())
            }

            /// The live event of one ticket's change (see `domain::live`).
            fn live_event(&mut self, id: i64, requester: i64, before: Option<TicketState>, after: Option<TicketState>, events: &[(EventKind, bool)]) {
                let (kind, staff_only) = match after {
                    None => (crate::domain::LiveKind::Deleted, false),
                    Some(_) => crate::domain::LiveKind::of(events),
                };
                let assignee_before = before.and_then(|b| b.assignee);
                self.live.push(crate::domain::LiveRecord {
                    id: 0,
                    at: self.now.timestamp(),
                    ticket: id,
                    kind,
                    requester,
                    assignee: after.map_or(assignee_before, |a| a.assignee),
                    assignee_before,
                    status: after.map(|a| a.status),
                    staff_only,
                });
            }

            /// Makes every change durable, with its live events; returns what changed, in order.
            #[tracing::instrument(skip_all, name = "store.changes.commit")]
            pub async fn commit(mut self) -> Result<Vec<TicketChanged>, StoreError> {
                write_live_events(&mut self.tx, &self.live).await?;
                self.tx.commit().await?;
                Ok(self.changed)
            }
        }
    };
}
pub(crate) use changes_code;
