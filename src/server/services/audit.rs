//! Writing the audit trail. A failure to record is logged, never shown to the person acting.

use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::AuditRecord;

/// Actions the audit log knows, as stored.
pub mod action {
    pub const SIGN_IN: &str = "sign-in";
    pub const SIGN_IN_FAILED: &str = "sign-in-failed";
    pub const REGISTERED: &str = "registered";
    pub const PASSWORD_RESET: &str = "password-reset";
    pub const PASSWORD_CHANGED: &str = "password-changed";
    pub const USER_CREATED: &str = "user-created";
    pub const USER_UPDATED: &str = "user-updated";
    pub const ROLE_CHANGED: &str = "role-changed";
    pub const ACTIVATED: &str = "activated";
    pub const DEACTIVATED: &str = "deactivated";
    pub const USER_DELETED: &str = "user-deleted";
    pub const SETTINGS_CHANGED: &str = "settings-changed";
    pub const TICKET_DELETED: &str = "ticket-deleted";
    pub const TICKET_REASSIGNED: &str = "ticket-reassigned";

    pub const ALL: [&str; 14] = crate::domain::AUDIT_ACTIONS;

    #[cfg(test)]
    #[test]
    fn every_named_action_is_listed_for_the_filter() {
        for a in [
            SIGN_IN, SIGN_IN_FAILED, REGISTERED, PASSWORD_RESET, PASSWORD_CHANGED, USER_CREATED, USER_UPDATED,
            ROLE_CHANGED, ACTIVATED, DEACTIVATED, USER_DELETED, SETTINGS_CHANGED, TICKET_DELETED, TICKET_REASSIGNED,
        ] {
            assert!(ALL.contains(&a), "{a}");
        }
    }
}

pub async fn record(core: &Core, actor_id: Option<i64>, actor_email: &str, action: &str, target: &str, detail: &str, ip: &str) {
    let entry = AuditRecord { actor_id, actor_email, action, target, detail, ip };
    if let Err(e) = core.store.record_audit(entry).await {
        tracing::error!(error = %e, action, "audit entry not written");
    }
}

/// The entry for an action taken by a signed-in caller, to write with the change itself.
pub fn entry<'a>(caller: &'a CurrentUser, action: &'a str, target: &'a str, detail: &'a str) -> AuditRecord<'a> {
    AuditRecord { actor_id: Some(caller.id), actor_email: &caller.email, action, target, detail, ip: &caller.ip }
}
