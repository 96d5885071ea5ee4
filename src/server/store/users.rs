use super::{is_unique_violation, Store};
use crate::domain::{Profile, Role};
use crate::error::AppError;
use crate::server::security::PasswordHash;
use chrono::{DateTime, Utc};

/// A user as stored, including the secret parts pages never see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub profile: Profile,
    pub password_hash: PasswordHash,
    pub tokens_valid_after: i64,
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a PasswordHash,
    pub role: Role,
    pub department: &'a str,
    pub phone: &'a str,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    password_hash: String,
    role: String,
    is_active: bool,
    department: String,
    phone: String,
    created_at: DateTime<Utc>,
    tokens_valid_after: i64,
}

impl From<UserRow> for UserRecord {
    fn from(row: UserRow) -> Self {
        UserRecord {
            profile: Profile {
                id: row.id,
                name: row.name,
                email: row.email,
                // The CHECK constraint admits only the four role names.
                role: Role::parse(&row.role).unwrap_or(Role::User),
                created_at: row.created_at,
                is_active: row.is_active,
                department: row.department,
                phone: row.phone,
            },
            password_hash: PasswordHash::from_stored(row.password_hash),
            tokens_valid_after: row.tokens_valid_after,
        }
    }
}

const USER_COLUMNS: &str = "id, name, email, password_hash, role, is_active, department, phone, created_at, tokens_valid_after";

impl Store {
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    /// Inserts a user; an email already registered is a conflict on `email`.
    pub async fn insert_user(&self, user: NewUser<'_>) -> Result<UserRecord, AppError> {
        let sql = format!(
            "INSERT INTO users (name, email, password_hash, role, department, phone, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
        );
        let inserted = sqlx::query_as::<_, UserRow>(&sql)
            .bind(user.name)
            .bind(user.email)
            .bind(user.password_hash.as_str())
            .bind(user.role.as_str())
            .bind(user.department)
            .bind(user.phone)
            .bind(Utc::now())
            .fetch_one(&self.write)
            .await;
        match inserted {
            Ok(row) => Ok(row.into()),
            Err(e) if is_unique_violation(&e) => {
                Err(AppError::conflict_on("email", "An account with this email already exists."))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn update_profile(
        &self,
        id: i64,
        name: &str,
        phone: &str,
        department: &str,
    ) -> Result<Option<UserRecord>, AppError> {
        let sql = format!(
            "UPDATE users SET name = ?, phone = ?, department = ? WHERE id = ? RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query_as::<_, UserRow>(&sql)
            .bind(name)
            .bind(phone)
            .bind(department)
            .bind(id)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.map(Into::into))
    }

    /// Replaces the password and ends every session issued before `now_secs`.
    pub async fn set_password(&self, id: i64, hash: &PasswordHash, now_secs: i64) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET password_hash = ?, tokens_valid_after = ? WHERE id = ?")
            .bind(hash.as_str())
            .bind(now_secs)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn set_user_active(&self, id: i64, active: bool) -> Result<bool, AppError> {
        let done = sqlx::query("UPDATE users SET is_active = ? WHERE id = ?")
            .bind(active)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn count_users(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.read).await?)
    }

    pub async fn insert_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), AppError> {
        sqlx::query("INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Uses a reset token and sets the new password in one transaction. Returns the user's id,
    /// or `None` when the token is unknown, used or expired (then nothing changes).
    pub async fn redeem_password_reset(
        &self,
        token_hash: &str,
        new_hash: &PasswordHash,
        now_secs: i64,
    ) -> Result<Option<i64>, AppError> {
        let mut tx = self.write.begin().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = ?
             WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
        )
        .bind(now_secs)
        .bind(token_hash)
        .bind(now_secs)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = ?, tokens_valid_after = ? WHERE id = ?")
            .bind(new_hash.as_str())
            .bind(now_secs)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // Any other outstanding link for this account stops working too.
        sqlx::query("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            .bind(now_secs)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }
}
