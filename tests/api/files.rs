//! The client's files and public assets, as a browser fetches them beside pages.

use crate::common::{self, TestApp};

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use leptos::prelude::{provide_context, LeptosOptions, Owner};
use leptos_axum::ResponseOptions;
use tower::ServiceExt;

fn get(path: &str, encoding: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(encoding) = encoding {
        builder = builder.header(header::ACCEPT_ENCODING, encoding);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn a_file_goes_out_as_it_is_whatever_another_request_left_on_the_thread() {
    let app = TestApp::spawn().await;
    let root = common::temp_dir("site");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/probe.js"), "console.log('probe');").unwrap();
    std::fs::write(root.join("pkg/probe.js.br"), "brotli bytes").unwrap();
    let options = LeptosOptions::builder().output_name("helpdesk").site_root(root.to_str().unwrap()).build();
    let router = helpdesk::server::build_router(options, app.core.clone());

    // A missing file and an unknown page are still 404s.
    assert_eq!(router.clone().oneshot(get("/pkg/missing.js", None)).await.unwrap().status(), StatusCode::NOT_FOUND);
    let page = router.clone().oneshot(Request::get("/no-such-page").header(header::ACCEPT, "text/html").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);

    // What a page or server function rendered on this thread can leave behind: its reactive
    // owner still current, holding its answer's options (a redirect, a session cookie). The
    // router is polled on this very thread (no runtime hop), as a server worker would be.
    let leftover = Owner::new();
    leftover.set();
    let options = ResponseOptions::default();
    options.set_status(StatusCode::FOUND);
    options.insert_header(header::LOCATION, HeaderValue::from_static("/login?next=/admin"));
    options.insert_header(header::SET_COOKIE, HeaderValue::from_static("helpdesk_session=someone-else; Path=/"));
    provide_context(options);

    for (encoding, body, content_encoding) in [(None, "console.log('probe');", None), (Some("br"), "brotli bytes", Some("br"))] {
        let response = router.clone().oneshot(get("/pkg/probe.js", encoding)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{encoding:?}");
        assert!(response.headers().get(header::SET_COOKIE).is_none(), "{encoding:?}: {:?}", response.headers());
        assert!(response.headers().get(header::LOCATION).is_none(), "{encoding:?}: {:?}", response.headers());
        assert_eq!(response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), content_encoding);
        let bytes = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(bytes, body.as_bytes());
    }
    leftover.unset();
    let _ = std::fs::remove_dir_all(root);
}
