//! Sign-in sessions and attempt throttles: small tables every instance shares.

use crate::error::AppError;
use sqlx::{Postgres, Transaction};

/// Ends every session of an account, inside the transaction of the change that requires it.
pub(super) async fn end_sessions_of(tx: &mut Transaction<'static, Postgres>, user_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(())
}
