//! `Query` and `Path` whose rejections answer in the API's error shape, as `ApiJson` does for
//! bodies: axum's own rejections are plain text, which no client of a JSON API expects (and
//! the OpenAPI document promises `{"error": …}` for every error).

use crate::error::AppError;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Query parameters; a query string that does not parse (a parameter given twice, say) is 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(e) => Err(AppError::invalid("query", format!("The query string is not valid: {}", e.body_text()))),
        }
    }
}

/// A path segment such as an id; one that cannot be read (bad percent-encoding) names nothing
/// that exists, so it is 404 like any other unknown id.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(_) => Err(AppError::not_found("Not found")),
        }
    }
}
