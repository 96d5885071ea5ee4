//! Helpers for server functions: the shared state, the caller, and error statuses.

use crate::error::AppError;
use crate::server::guard::{self, CurrentUser};
use crate::server::startup::{AppState, Core};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;
use std::sync::Arc;

pub fn core() -> Result<Arc<Core>, AppError> {
    use_context::<AppState>().map(|s| s.core).ok_or_else(|| {
        tracing::error!("application state missing from the server function context");
        AppError::internal()
    })
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::internal()
    })
}

/// The signed-in caller, or 401 (looked up once per page render, see `once_per_render`).
pub async fn caller(core: &Core) -> Result<CurrentUser, AppError> {
    once_per_render("caller".to_string(), || async {
        let parts = parts()?;
        let ip = guard::client_ip(&parts.extensions, &parts.headers, &core.config.trusted_proxies);
        guard::authenticate(core, &parts.headers, ip).await
    })
    .await
}

/// What one server-side page render has read, by call. During a render leptos builds a page's
/// view up to three times (its `Suspense` walks the children to find their resources, walks
/// them again once those resolve, then renders), and each build calls the page's server
/// functions again: three sessions looked up, three ticket lists read. Provided per page
/// request (`startup::build_router`); a call from the browser (`/rpc`) has none and reads
/// afresh. Only reads go through it, and a failed read is not kept.
#[derive(Clone, Default)]
pub struct RenderMemo(Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::OnceCell<Arc<dyn std::any::Any + Send + Sync>>>>>>);

/// `read`, or what it gave earlier in this page render under the same `key` (the server
/// function's endpoint and its arguments).
pub async fn once_per_render<T, F, Fut>(key: String, read: F) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let Some(memo) = use_context::<RenderMemo>() else { return read().await };
    let cell = memo.0.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default().clone();
    let kept = cell.get_or_try_init(|| async { read().await.map(|v| Arc::new(v) as Arc<dyn std::any::Any + Send + Sync>) }).await?;
    kept.downcast_ref::<T>().cloned().ok_or_else(|| {
        tracing::error!("a page render kept two kinds of answer under one key");
        AppError::internal()
    })
}

impl RenderMemo {
    /// Keeps `value` under `key`, as if a call had just read it.
    fn keep<T: Send + Sync + 'static>(&self, key: &str, value: T) {
        let cell = tokio::sync::OnceCell::new_with(Some(Arc::new(value) as Arc<dyn std::any::Any + Send + Sync>));
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), Arc::new(cell));
    }

    /// What a call read under `key`, without waiting: `None` if nothing has yet.
    fn read_now<T: Clone + 'static>(&self, key: &str) -> Option<T> {
        let cell = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()?;
        cell.get().and_then(|kept| kept.downcast_ref::<T>().cloned())
    }
}

/// The memo a page render starts from: the one `prefetch_caller` left on the request, or an
/// empty one.
pub fn render_memo() -> RenderMemo {
    use_context::<Parts>().and_then(|p| p.extensions.get::<RenderMemo>().cloned()).unwrap_or_default()
}

/// Before a page is rendered (a GET of a page route): the caller is looked up, so the role
/// guard knows them at once (`known_caller`) and needs no `Suspense`, and the render's own
/// `caller` finds them in the memo rather than asking the store again. A request with no
/// session, or whose lookup fails, starts with an empty memo: the render looks up and reports
/// as before.
pub async fn prefetch_caller(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.method() == axum::http::Method::GET {
        let memo = RenderMemo::default();
        let ip = guard::client_ip(request.extensions(), request.headers(), &state.core.config.trusted_proxies);
        if let Ok(user) = guard::authenticate(&state.core, request.headers(), ip).await {
            memo.keep("caller", user);
        }
        request.extensions_mut().insert(memo);
    }
    next.run(request).await
}

/// The page request's caller when it was looked up before the render began; `None` when it
/// was not (no session, or a server function call), and always in the browser.
pub fn known_caller() -> Option<crate::domain::SessionUser> {
    use_context::<RenderMemo>()?.read_now::<CurrentUser>("caller").map(|c| c.user)
}

/// The signed-in caller if there is one; a missing or stale session is simply `None`.
pub async fn optional_caller(core: &Core) -> Result<Option<CurrentUser>, AppError> {
    match caller(core).await {
        Ok(user) => Ok(Some(user)),
        Err(e) if e.status() == 401 => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn client_ip() -> String {
    let trusted = use_context::<AppState>().map(|s| s.core.config.trusted_proxies.clone()).unwrap_or_default();
    use_context::<Parts>().map(|p| guard::client_ip(&p.extensions, &p.headers, &trusted)).unwrap_or_else(|| "unknown".into())
}

/// The value of the request's cookie `name`.
pub fn cookie(name: &str) -> Option<String> {
    use_context::<Parts>().and_then(|p| guard::cookie(&p.headers, name).map(str::to_string))
}

pub fn set_cookie(value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
    }
}

/// True for a form posted by a browser without JavaScript (it expects an HTML answer).
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Gives a failed call its HTTP status, except for plain HTML form posts: those must get
/// leptos' redirect back to the form (with the error in the query), which a 4xx would break.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if !is_plain_form_post() {
            if let (Some(options), Ok(status)) =
                (use_context::<ResponseOptions>(), StatusCode::from_u16(err.status()))
            {
                options.set_status(status);
            }
        }
    }
    result
}

/// Sets a page's HTTP status during server-side rendering.
pub fn set_page_status(status: u16) {
    if let (Some(options), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(status)) {
        options.set_status(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::{provide_context, Owner};
    use leptos::reactive::computed::ScopedFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_page_render_reads_each_call_once_and_keeps_no_failure() {
        let reads = Arc::new(AtomicUsize::new(0));
        let read = |answer: Result<i64, AppError>| {
            let reads = reads.clone();
            move || async move {
                reads.fetch_add(1, Ordering::SeqCst);
                answer
            }
        };
        let render = Owner::new();
        render.with(|| provide_context(RenderMemo::default()));
        let call = |key: &str, answer| render.with(|| ScopedFuture::new(once_per_render(key.to_string(), read(answer))));
        assert_eq!(call("tickets/list a", Ok(1)).await.unwrap(), 1);
        assert_eq!(call("tickets/list a", Ok(2)).await.unwrap(), 1, "the same call in the same render");
        assert_eq!(call("tickets/list b", Ok(3)).await.unwrap(), 3, "other arguments");
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        assert!(call("home", Err(AppError::internal())).await.is_err());
        assert_eq!(call("home", Ok(4)).await.unwrap(), 4, "a failure is read again");
        // Another render, or a call from the browser (no memo), reads afresh.
        let other = Owner::new();
        other.with(|| provide_context(RenderMemo::default()));
        assert_eq!(other.with(|| ScopedFuture::new(once_per_render("tickets/list a".into(), read(Ok(5))))).await.unwrap(), 5);
        assert_eq!(once_per_render("tickets/list a".into(), read(Ok(6))).await.unwrap(), 6);
        assert_eq!(reads.load(Ordering::SeqCst), 6);
    }
}
