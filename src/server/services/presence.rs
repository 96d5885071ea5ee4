//! Who else is on a ticket (see `domain::presence`): the staff working a ticket say what their
//! page is doing, and read who else is there. Nobody else takes part: a requester's page says
//! nothing and is shown nothing.

use super::tickets::load_visible;
use crate::domain::{others, works_on, PresenceState, TabId, Viewer, PRESENCE_SECS};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;

/// The ticket, if the caller works it (as for internal notes); otherwise as if it were not there
/// for those who may not see it, and a refusal for the rest.
async fn worked_by(core: &Core, caller: &CurrentUser, id: i64) -> Result<crate::domain::Ticket, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    if !works_on(caller.role, caller.id, ticket.assigned_to) {
        return Err(AppError::forbidden("Only the agent working this ticket or an admin is shown on it."));
    }
    Ok(ticket)
}

/// One page says what it is doing on ticket `id` (`gone` when it closes); answers who else is
/// there. Said again within `PRESENCE_SECS`, or it lapses.
pub async fn announce(core: &Core, caller: &CurrentUser, id: i64, tab: &str, state: &str) -> Result<Vec<Viewer>, AppError> {
    let (tab, state) = (TabId::parse(tab)?, PresenceState::parse(state)?);
    let ticket = worked_by(core, caller, id).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let told = core
        .store
        .set_presence(ticket.id, caller.id, tab.as_str(), state.map(PresenceState::as_str), now, now + PRESENCE_SECS * 1000)
        .await?;
    if told {
        core.live.wake.notify_one();
    }
    read(core, caller, ticket.id, now).await
}

/// Who else has ticket `id` open now.
pub async fn viewers(core: &Core, caller: &CurrentUser, id: i64) -> Result<Vec<Viewer>, AppError> {
    let ticket = worked_by(core, caller, id).await?;
    read(core, caller, ticket.id, chrono::Utc::now().timestamp_millis()).await
}

async fn read(core: &Core, caller: &CurrentUser, id: i64, now: i64) -> Result<Vec<Viewer>, AppError> {
    let pages: Vec<(i64, String, String)> = core.store.presence(id, now).await?;
    let pages = pages
        .into_iter()
        .filter_map(|(user, name, state)| PresenceState::parse(&state).ok().flatten().map(|s| (user, name, s)))
        .collect();
    Ok(others(pages, caller.id))
}

/// Removes lapsed pages now; how many tickets' pages were told.
pub async fn expire(core: &Core) -> Result<usize, AppError> {
    let told = core.store.expire_presence(chrono::Utc::now().timestamp_millis()).await?;
    if told > 0 {
        core.live.wake.notify_one();
    }
    Ok(told)
}
