use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;

/// `Json` whose rejections answer in the API's error shape (`{"error": …}`, 400).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::invalid("body", "Send the body as JSON (Content-Type: application/json)."))
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::invalid("body", "The body is not valid JSON.")),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::invalid("body", format!("The body has a wrong field: {}", e.body_text())))
            }
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::too_large()),
            Err(e) => Err(AppError::invalid("body", e.body_text())),
        }
    }
}
