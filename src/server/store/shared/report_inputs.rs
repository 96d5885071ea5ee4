//! What a kept report depends on, read in one statement: how far the tickets have changed,
//! and who the agents are now (see `store::report_memo`).

macro_rules! report_inputs_code {
    () => {
        impl Store {
            /// The newest live event and the newest ticket (every ticket change writes a live event
            /// in its transaction; a seed or an import only adds tickets), and every agent as
            /// `(id, shown name, active)` in the report's order (by name as `NAME_ORDER` sorts, then id).
            #[tracing::instrument(skip_all, name = "store.report_inputs")]
            pub async fn report_inputs(&self) -> Result<crate::server::store::ReportInputs, StoreError> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!(
                        concat!(
                            "SELECT (SELECT MAX(id) FROM live_events), (SELECT MAX(id) FROM tickets),
                                    (SELECT {} FROM (SELECT u.id AS agent_id, u.name AS sort_name, ",
                            crate::server::store::rows::shown_name!("u"),
                            " AS agent_name, CASE WHEN u.is_active THEN 1 ELSE 0 END AS is_active
                                     FROM users u WHERE u.role = 'agent' AND u.deleted_at IS NULL) a)"
                        ),
                        json_rows("a.agent_id, a.agent_name, a.is_active", &format!("{}, a.agent_id", NAME_ORDER.replace("u.name", "a.sort_name")))
                    )
                });
                let (event, ticket, agents): (Option<i64>, Option<i64>, Option<String>) = sqlx::query_as(&SQL).fetch_one(self.reader()).await?;
                let agents: Vec<(i64, String, i64)> = serde_json::from_str(agents.as_deref().unwrap_or("[]"))
                    .map_err(|e| StoreError::unexpected("store.report_inputs", format!("the agents' JSON: {e}")))?;
                Ok(crate::server::store::ReportInputs {
                    version: (event.unwrap_or(0), ticket.unwrap_or(0)),
                    agents: agents.into_iter().map(|(id, name, active)| (id, name, active != 0)).collect(),
                })
            }
        }
    };
}
pub(crate) use report_inputs_code;
