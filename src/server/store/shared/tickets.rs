//! Reading tickets: one ticket, its history, and the parts every list statement is built from
//! (columns, filters, keyset order). Search is each database's own (`SEARCH_KEY`,
//! `push_search`, `fts_query`), and so are the list counts and the overdue reads whose plans
//! differ.

macro_rules! ticket_reads_code {
    () => {
        use crate::domain::{Ticket, TicketEvent, TicketQuery, TicketScope, TicketSort};
        use crate::server::store::rows::{events_sql, shown_name, EventDbRow, TicketDbRow};

        const TICKET_SELECT: &str = concat!(
            "SELECT t.id, t.user_id, ", shown_name!("ru"), " AS user_name, t.title, t.description, t.category,
                t.priority, t.status, t.assigned_to, ", shown_name!("au"), " AS agent_name, t.created_at, t.updated_at,
                t.closed_at, t.resolution_notes, t.due_at, t.version
            FROM tickets t JOIN users ru ON ru.id = t.user_id LEFT JOIN users au ON au.id = t.assigned_to"
        );

        /// The columns of a list row (`rows::RowDbRow`).
        pub(in crate::server::store) const ROW_COLUMNS: &str = concat!(
            "SELECT t.id, t.title, t.status, t.priority, t.category, t.user_id, ", shown_name!("ru"), " AS user_name,
                t.assigned_to, ", shown_name!("au"), " AS agent_name, t.created_at, t.updated_at, t.due_at"
        );

        pub(in crate::server::store) const ROW_JOINS: &str = " JOIN users ru ON ru.id = t.user_id LEFT JOIN users au ON au.id = t.assigned_to";

        /// Search results come newest first (ids grow with creation time); other lists by `sort`.
        pub(in crate::server::store) fn push_order(qb: &mut QueryBuilder<'_, Db>, query: &TicketQuery) {
            match (query.q.as_deref().and_then(fts_query), query.sort) {
                (Some(_), _) => qb.push(format_args!(" ORDER BY {SEARCH_KEY} DESC")),
                (None, TicketSort::Newest) => qb.push(" ORDER BY t.created_at DESC, t.id DESC"),
                (None, TicketSort::Oldest) => qb.push(" ORDER BY t.created_at ASC, t.id ASC"),
                (None, TicketSort::Updated) => qb.push(" ORDER BY t.updated_at DESC, t.id DESC"),
                (None, TicketSort::Priority) => qb.push(" ORDER BY t.priority_rank DESC, t.created_at DESC, t.id DESC"),
            };
        }

        /// Rows strictly after the cursor in the list's order (keyset paging).
        pub(in crate::server::store) fn push_after(qb: &mut QueryBuilder<'_, Db>, query: &TicketQuery) {
            let Some(c) = query.after else { return };
            match (query.q.as_deref().and_then(fts_query), query.sort) {
                (Some(_), _) => {
                    qb.push(format_args!(" AND {SEARCH_KEY} < ")).push_bind(c.id);
                }
                (None, TicketSort::Newest) => {
                    qb.push(" AND (t.created_at, t.id) < (").push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                }
                (None, TicketSort::Oldest) => {
                    qb.push(" AND (t.created_at, t.id) > (").push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                }
                (None, TicketSort::Updated) => {
                    qb.push(" AND (t.updated_at, t.id) < (").push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                }
                (None, TicketSort::Priority) => {
                    qb.push(" AND (t.priority_rank, t.created_at, t.id) < (").push_bind(c.rank).push(", ");
                    qb.push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                }
            }
        }

        /// Appends the WHERE clause for a scope and filters.
        pub(in crate::server::store) fn push_filters(qb: &mut QueryBuilder<'_, Db>, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) {
            qb.push(" WHERE 1 = 1");
            match scope {
                TicketScope::RequestedBy(id) => {
                    qb.push(" AND t.user_id = ").push_bind(id);
                }
                TicketScope::AssignedTo(id) => {
                    qb.push(" AND t.assigned_to = ").push_bind(id);
                }
                TicketScope::All => {}
            }
            if let Some(s) = query.status {
                qb.push(" AND t.status = ").push_bind(s.as_str());
            }
            if let Some(p) = query.priority {
                // The rank stands for the priority one to one, and its indexes also serve the sorts.
                qb.push(" AND t.priority_rank = ").push_bind(p.rank());
            }
            if let Some(c) = &query.category {
                qb.push(" AND t.category = ").push_bind(c.clone());
            }
            if let Some(agent) = query.assigned_to {
                qb.push(" AND t.assigned_to = ").push_bind(agent);
            }
            if query.unassigned {
                qb.push(" AND t.assigned_to IS NULL");
            }
            if query.overdue {
                qb.push(" AND t.status <> 'closed' AND t.due_at < ").push_bind(now.timestamp());
            }
            if let Some(fts) = query.q.as_deref().and_then(fts_query) {
                push_search(qb, fts);
            }
        }

        impl Store {
            #[tracing::instrument(skip_all, name = "store.ticket")]
            pub async fn ticket(&self, id: i64, now: DateTime<Utc>) -> Result<Option<Ticket>, StoreError> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!("{TICKET_SELECT} WHERE t.id = $1"));
                let row = sqlx::query_as::<_, TicketDbRow>(&SQL).bind(id).fetch_optional(self.reader()).await?;
                Ok(row.map(|r| r.into_ticket(now)))
            }

            /// The ticket's history, oldest first; internal entries only when asked for.
            #[tracing::instrument(skip_all, name = "store.ticket_events")]
            pub async fn ticket_events(&self, id: i64, include_internal: bool) -> Result<Vec<TicketEvent>, StoreError> {
                self.events_of(events_sql!(""), id, include_internal).await
            }

            /// The ticket's conversation: its replies and, when asked for, its internal notes,
            /// oldest first. Read through their own index (`ticket_events_conversation`): the
            /// rest of the history, however long, is not read.
            #[tracing::instrument(skip_all, name = "store.ticket_conversation")]
            pub async fn ticket_conversation(&self, id: i64, include_internal: bool) -> Result<Vec<TicketEvent>, StoreError> {
                self.events_of(events_sql!(" AND e.kind IN ('reply', 'note')"), id, include_internal).await
            }

            /// The entries `sql` (an `events_sql!`) selects of ticket `id`.
            async fn events_of(&self, sql: &'static str, id: i64, include_internal: bool) -> Result<Vec<TicketEvent>, StoreError> {
                let rows = sqlx::query_as::<_, EventDbRow>(sql).bind(id).bind(include_internal).fetch_all(self.reader()).await?;
                Ok(rows.into_iter().filter_map(EventDbRow::into_event).collect())
            }
        }
    };
}
pub(crate) use ticket_reads_code;
