//! The error answers every operation of a kind can give, added to the document from what the
//! operation takes, so no handler has to repeat them (and none can forget them).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::Modify;

pub struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                add_common(operation);
                add_retry_after(operation);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

/// 400 where there is input, 401 and 403 where a session is needed, 404 where an id is in
/// the path, 413 where a body is read.
fn add_common(operation: &mut Operation) {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_path_id = params.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path));
    let has_body = operation.request_body.is_some();
    let signed_in = !is_public(operation);
    let rules = [
        (has_body || !params.is_empty(), "400", "Invalid input; `field` names the property or parameter and the message the rule"),
        (signed_in, "401", "No token, an invalid or expired one, or a session that has ended"),
        (signed_in, "403", "The caller's role may not do this (e.g. `Admin access required`), or not to this item"),
        (has_path_id, "404", "No such item, or one the caller may not see"),
        (has_body, "413", "The body is larger than 256 KiB"),
    ];
    for (applies, status, description) in rules {
        if applies {
            operation.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::T(error(description)));
        }
    }
}

/// An operation marked `security(())` needs no session.
fn is_public(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        requirements.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty())))
    })
}

fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}

/// 429 and 503 say when to come back.
fn add_retry_after(operation: &mut Operation) {
    for status in ["429", "503"] {
        if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status) {
            let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).build();
            let header = HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait before retrying")).build();
            response.headers.insert("Retry-After".to_string(), header);
        }
    }
}
