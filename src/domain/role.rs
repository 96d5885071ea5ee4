use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Agent,
    Admin,
    Superadmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::User, Role::Agent, Role::Admin, Role::Superadmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Superadmin => "superadmin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::User => "User",
            Role::Agent => "Agent",
            Role::Admin => "Admin",
            Role::Superadmin => "Super admin",
        }
    }

    /// Where this role lands after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Role::User => "/user",
            Role::Agent => "/agent",
            Role::Admin => "/admin",
            Role::Superadmin => "/superadmin",
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::Superadmin)
    }

    pub fn is_staff(self) -> bool {
        self != Role::User
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn each_role_has_its_own_home() {
        let homes: std::collections::HashSet<_> = Role::ALL.iter().map(|r| r.home()).collect();
        assert_eq!(homes.len(), 4);
    }
}
