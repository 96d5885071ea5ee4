use crate::error::AppError;

/// The least-loaded active agent with room, read through `ex` (the pool, or a transaction
/// that has just assigned tickets and must see its own counts).
pub(super) async fn least_loaded<'e, E: sqlx::PgExecutor<'e>>(ex: E, max_open: i64) -> Result<Option<i64>, AppError> {
    let _ = (ex, max_open);
    unimplemented!("PostgreSQL least_loaded: being written")
}
