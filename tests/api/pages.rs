//! Server-rendered pages and server functions as a browser without JavaScript sees them.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Reply, TestApp};

fn page(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().uri(path).header(header::ACCEPT, "text/html");
    if let Some(token) = token {
        builder = builder.header(header::COOKIE, format!("helpdesk_session={token}"));
    }
    builder.body(Body::empty()).unwrap()
}

fn form_post(path: &str, form: &str, referer: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, referer)
        .body(Body::from(form.to_string()))
        .unwrap()
}

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

fn location(reply: &Reply) -> &str {
    reply.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_login_with_the_page_to_return_to() {
    let app = TestApp::spawn().await;
    for path in ["/user", "/agent", "/admin", "/superadmin", "/profile"] {
        let reply = app.send(page(path, None)).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{path}");
        assert_eq!(location(&reply), format!("/login?next={path}"));
    }
}

#[tokio::test]
async fn each_role_sees_its_own_home_with_its_name() {
    let app = TestApp::spawn().await;
    let homes = [
        ("superadmin@gmail.com", "superadmin123", "/superadmin", "Super Admin"),
        ("admin@gmail.com", "admin123", "/admin", "Admin"),
        ("agent@gmail.com", "agent123", "/agent", "Agent John"),
        ("user@gmail.com", "user123", "/user", "John Doe"),
    ];
    for (email, password, home, name) in homes {
        let token = app.login(email, password).await;
        let reply = app.send(page(home, Some(&token))).await;
        assert_eq!(reply.status, StatusCode::OK, "{home}");
        assert!(html(&reply).contains(&format!("Welcome, {name}")), "{home}");
        // The navigation marks the page shown, and only it.
        assert!(html(&reply).contains(&format!(r#"<a href="{home}" aria-current="page">Dashboard"#)), "{home}");
        assert_eq!(html(&reply).matches("aria-current=").count(), 1, "{home}");
    }
}

#[tokio::test]
async fn a_wrong_role_gets_the_403_page() {
    let app = TestApp::spawn().await;
    let user = app.login("user@gmail.com", "user123").await;
    for path in ["/admin", "/agent", "/superadmin"] {
        let reply = app.send(page(path, Some(&user))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(html(&reply).contains("Access denied"));
    }
    let admin = app.login("admin@gmail.com", "admin123").await;
    assert_eq!(app.send(page("/superadmin", Some(&admin))).await.status, StatusCode::FORBIDDEN);
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    assert_eq!(app.send(page("/admin", Some(&superadmin))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_user_home_counts_only_the_users_own_tickets() {
    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    let reply = app.get("/api/users/dashboard", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let d = &reply.body["dashboard"];
    assert_eq!((d["totalTickets"].as_i64(), d["openTickets"].as_i64(), d["closedTickets"].as_i64()), (Some(2), Some(1), Some(1)));
    let home = app.send(page("/user", Some(&token))).await;
    assert!(html(&home).contains("Login Issue") && !html(&home).contains("Password Reset"));
}

#[tokio::test]
async fn a_form_login_without_javascript_sets_an_httponly_cookie_and_redirects() {
    let app = TestApp::spawn().await;
    let reply = app
        .send(form_post("/rpc/login", "email=agent%40gmail.com&password=agent123&next=", "http://localhost/login"))
        .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(location(&reply), "/agent");
    let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("helpdesk_session="));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http installs cannot use Secure cookies");
}

#[tokio::test]
async fn cookies_are_secure_when_the_site_is_served_over_https() {
    let app = TestApp::spawn_with(|s| s.public_url = "https://help.example.com".into()).await;
    let reply = app
        .send(form_post("/rpc/login", "email=agent%40gmail.com&password=agent123", "https://help.example.com/login"))
        .await;
    assert!(reply.headers[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn a_form_login_returns_to_the_requested_page_but_never_off_site() {
    let app = TestApp::spawn().await;
    let reply = app.send(form_post("/rpc/login", "email=user%40gmail.com&password=user123&next=%2Fprofile", "http://localhost/login")).await;
    assert_eq!(location(&reply), "/profile");
    let reply = app.send(form_post("/rpc/login", "email=user%40gmail.com&password=user123&next=%2F%2Fevil.example", "http://localhost/login")).await;
    assert_eq!(location(&reply), "/user");
}

#[tokio::test]
async fn a_failed_form_login_goes_back_to_the_form_with_the_error() {
    let app = TestApp::spawn().await;
    let reply = app.send(form_post("/rpc/login", "email=user%40gmail.com&password=wrong", "http://localhost/login")).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
    let back = location(&reply).to_string();
    assert!(back.starts_with("http://localhost/login") && back.contains("__err="), "{back}");
    let path = back.trim_start_matches("http://localhost");
    let form = app.send(page(path, None)).await;
    assert!(html(&form).contains("Invalid email or password."));
}

#[tokio::test]
async fn server_functions_called_by_script_get_real_statuses() {
    let app = TestApp::spawn().await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=user%40gmail.com&password=wrong"))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
    let request = Request::builder().method(Method::POST).uri("/rpc/home").body(Body::empty()).unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    let app = TestApp::spawn().await;
    let reply = app.send(form_post("/rpc/logout", "", "http://localhost/user")).await;
    assert_eq!(location(&reply), "/login");
    assert!(reply.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn unknown_pages_answer_404() {
    let app = TestApp::spawn().await;
    let reply = app.send(page("/no-such-page", None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(html(&reply).contains("Page not found"));
}

#[tokio::test]
async fn the_hydrated_list_can_ask_for_an_unfiltered_page() {
    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    // What the browser sends for a list with every filter empty.
    let body = serde_json::json!({ "query": { "status": null, "priority": null, "category": null, "q": null,
        "sort": null, "page": null, "perPage": null } });
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/tickets/list")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, format!("helpdesk_session={token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["total"], 2);
}

#[tokio::test]
async fn ticket_pages_render_for_those_who_may_see_them_and_404_for_others() {
    let app = TestApp::spawn().await;
    let user = app.login("user@gmail.com", "user123").await;
    let jane = app.login("jane@gmail.com", "jane123").await;
    let mine = app.send(page("/tickets/1", Some(&user))).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(html(&mine).contains("Login Issue"));
    assert!(!html(&mine).contains("Close ticket"), "a requester has no close control");
    let theirs = app.send(page("/tickets/1", Some(&jane))).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!html(&theirs).contains("Login Issue"));
    let agent = app.login("agent@gmail.com", "agent123").await;
    let worked = app.send(page("/tickets/2", Some(&agent))).await;
    assert!(html(&worked).contains("Close ticket") && html(&worked).contains("Add internal note"));
}

#[tokio::test]
async fn lists_render_on_the_server_with_filters_from_the_address() {
    let app = TestApp::spawn().await;
    let user = app.login("user@gmail.com", "user123").await;
    let all = app.send(page("/user/tickets", Some(&user))).await;
    assert!(html(&all).contains("Showing 1–2 of 2 tickets"));
    let closed = app.send(page("/user/tickets?status=closed", Some(&user))).await;
    assert!(html(&closed).contains("Data Export Issue") && !html(&closed).contains("Login Issue"));
}

fn rpc_form(path: &str, token: &str, form: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("helpdesk_session={token}"))
        .body(Body::from(form.to_string()))
        .unwrap()
}

#[tokio::test]
async fn bulk_assignment_takes_the_checked_rows_of_the_form() {
    let app = TestApp::spawn().await;
    let user = app.login("user@gmail.com", "user123").await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = serde_json::json!({ "title": format!("Bulk ticket {n}"), "description": "x", "category": "general" });
        ids.push(app.post("/api/tickets", Some(&user), body).await.body["ticket"]["id"].as_i64().unwrap());
    }
    // Checkboxes are named by row; unchecked rows send nothing. Ticket 1 is already assigned.
    let form = format!("ids[0]={}&ids[3]={}&ids[4]=1&agent_id=3", ids[0], ids[1]);
    let reply = app.send(rpc_form("/rpc/admin/bulk-assign", &admin, &form)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let summary = reply.body.as_str().unwrap();
    assert!(summary.starts_with("Assigned 2 of 3 selected tickets."), "{summary}");
    assert!(summary.contains("#1: This ticket is already assigned to Agent John"), "{summary}");
    let none = app.send(rpc_form("/rpc/admin/bulk-assign", &admin, "agent_id=3")).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    let as_user = app.send(rpc_form("/rpc/admin/bulk-assign", &user, &format!("ids[0]={}&agent_id=3", ids[0]))).await;
    assert_eq!(as_user.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deleting_from_the_page_needs_the_confirmation_box() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let unconfirmed = app.send(rpc_form("/rpc/admin/delete-ticket", &admin, "id=1")).await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/tickets/1", Some(&admin)).await.status, StatusCode::OK);
    let confirmed = app.send(rpc_form("/rpc/admin/delete-ticket", &admin, "id=1&confirm=yes")).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert_eq!(app.get("/api/tickets/1", Some(&admin)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_and_super_admin_pages_render_on_the_server() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let pages = [
        ("/admin", "Agent performance"),
        ("/admin/tickets?overdue=true", "All tickets"),
        ("/admin/reports", "Opened and closed per day"),
        ("/superadmin", "Users by role"),
        ("/superadmin/users", "Create a user"),
        ("/superadmin/users/5", "jane@gmail.com"),
        ("/superadmin/settings", "Max open tickets per agent"),
        ("/superadmin/audit", "sign-in"),
        ("/tickets/1", "Reassign"),
    ];
    for (path, text) in pages {
        let reply = app.send(page(path, Some(&superadmin))).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(html(&reply).contains(text), "{path} shows {text}");
    }
    assert!(html(&app.send(page("/admin/reports", Some(&superadmin))).await).contains("<svg"));
    assert_eq!(app.send(page("/superadmin/users/999", Some(&superadmin))).await.status, StatusCode::NOT_FOUND);
}

/// A signed-in page is drawn once: its data is in the HTML once for hydration, beside the
/// rows drawn from it. (Under the role guard's `Suspense`, leptos built the page three times
/// and wrote each answer three times.)
#[tokio::test]
async fn a_signed_in_page_carries_its_data_once() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    for (path, text) in [("/admin/tickets", "Data Export Issue"), ("/user/tickets", "Data Export Issue"), ("/tickets/1", "Login Issue")] {
        let token = if path.starts_with("/user") { app.login("user@gmail.com", "user123").await } else { admin.clone() };
        let reply = app.send(page(path, Some(&token))).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let body = html(&reply);
        let (drawn, data) = body.split_once("__RESOLVED_RESOURCES").unwrap_or((body, ""));
        assert!(drawn.contains(text), "{path} draws {text}");
        assert_eq!(data.matches(text).count(), 1, "{path} sends {text} for hydration once");
    }
}

#[tokio::test]
async fn settings_saved_from_the_form_name_the_bad_field() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let form = "categories=hardware%0Anetwork&sla_low=72&sla_medium=48&sla_high=x&sla_critical=4&max_tickets_per_agent=5";
    let reply = app.send(rpc_form("/rpc/super/settings/save", &superadmin, form)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["field"], "sla.high");
    let ok = form.replace("sla_high=x", "sla_high=24");
    assert_eq!(app.send(rpc_form("/rpc/super/settings/save", &superadmin, &ok)).await.status, StatusCode::OK);
    let saved = app.get("/api/superadmin/settings", Some(&superadmin)).await.body["settings"].clone();
    assert_eq!(saved["categories"], serde_json::json!(["hardware", "network"]));
    assert_eq!(saved["maxTicketsPerAgent"], 5);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_even_for_sign_in_and_the_apps_own_pass() {
    let app = TestApp::spawn().await;
    let sign_in = |extra: &[(&'static str, &'static str)]| {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/rpc/login")
            .header(header::HOST, "help.example.com")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::REFERER, "http://help.example.com/login");
        for (k, v) in extra {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::from("email=user%40gmail.com&password=user123")).unwrap()
    };
    for hostile in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", "http://other.example.com")],
    ] {
        let reply = app.send(sign_in(&hostile)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{hostile:?}");
        assert!(reply.headers.get(header::SET_COOKIE).is_none(), "{hostile:?}: no session handed out");
    }
    let own = app.send(sign_in(&[("origin", "http://help.example.com"), ("sec-fetch-site", "same-origin")])).await;
    assert!(own.headers.get(header::SET_COOKIE).is_some(), "the app's own sign-in works: {:?}", own.status);

    // A cookie-authenticated change from another site is refused; a bearer token is not a cookie.
    let user = app.login("user@gmail.com", "user123").await;
    let body = serde_json::json!({ "title": "Cross-site ticket", "description": "x", "category": "general" }).to_string();
    let with = |auth: (header::HeaderName, String)| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/tickets")
            .header(header::CONTENT_TYPE, "application/json")
            .header("origin", "https://evil.example")
            .header(auth.0, auth.1)
            .body(Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(app.send(with((header::COOKIE, format!("helpdesk_session={user}")))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(with((header::AUTHORIZATION, format!("Bearer {user}")))).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_signed_in_ones_are_not_stored() {
    let app = TestApp::spawn().await;
    let user = app.login("user@gmail.com", "user123").await;
    for (path, token, stored) in [("/login", None, true), ("/user", Some(user.as_str()), false), ("/api/users/dashboard", None, true)] {
        let reply = app.send(page(path, token)).await;
        for name in ["x-content-type-options", "x-frame-options", "referrer-policy", "permissions-policy", "content-security-policy"] {
            assert!(reply.headers.get(name).is_some(), "{path}: {name}");
        }
        assert!(reply.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        let no_store = reply.headers.get(header::CACHE_CONTROL).is_some_and(|v| v == "no-store");
        assert_eq!(no_store, !stored, "{path}");
    }
}

#[tokio::test]
async fn pages_allow_only_their_own_nonced_scripts() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let mut nonces = Vec::new();
    for (path, token) in [("/login", None), ("/admin", Some(admin.as_str())), ("/tickets/1", Some(admin.as_str()))] {
        let reply = app.send(page(path, token)).await;
        let policy = reply.headers["content-security-policy"].to_str().unwrap().to_string();
        let script_src = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("a script-src");
        let words: Vec<&str> = script_src.split_whitespace().collect();
        assert!(!words.contains(&"'unsafe-inline'") && !words.contains(&"'unsafe-eval'"), "{path}: {script_src}");
        let nonce = script_src.split_whitespace().find_map(|w| w.strip_prefix("'nonce-")).and_then(|w| w.strip_suffix('\''));
        let nonce = nonce.unwrap_or_else(|| panic!("{path}: no nonce in {script_src}")).to_string();
        assert!(nonce.len() >= 16, "{path}: a nonce long enough not to guess");
        let html = html(&reply);
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} hydrates");
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}: every script carries the nonce");
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per response");
    let api = app.get("/api/users/dashboard", None).await;
    let policy = api.headers["content-security-policy"].to_str().unwrap();
    assert!(!policy.contains("nonce") && policy.contains("default-src 'self'"), "{policy}");
}

#[tokio::test]
async fn admins_see_the_mail_taken_in_and_process_a_mail_again_without_javascript() {
    let secret = "inbound-secret-for-the-page-test-0123456789";
    let app = TestApp::spawn_with(|c| {
        c.mail.inbound_secret = Some(helpdesk::server::secret::Secret::new(secret.to_string()));
        c.mail.unknown_senders_create = false;
    })
    .await;
    let raw = "From: Newcomer <newcomer@example.net>\r\nTo: support@localhost\r\nSubject: Printer <b>jam</b>\r\nMessage-ID: <page-test@example.net>\r\n\r\nThe printer jams.\r\n";
    let post = Request::builder()
        .method(Method::POST)
        .uri("/api/mail/inbound")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(Body::from(raw))
        .unwrap();
    assert_eq!(app.send(post).await.body["outcome"], "rejected");

    let admin = app.login("admin@gmail.com", "admin123").await;
    let reply = app.send(page("/admin/mail", Some(&admin))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = html(&reply);
    assert!(body.contains("newcomer@example.net") && body.contains("Printer &lt;b&gt;jam&lt;/b&gt;"), "the subject shows as text");
    assert!(body.contains("has no account") && body.contains("Process again") && body.contains("/api/admin/mail/inbound/"), "{body}");
    let agent = app.login("agent@gmail.com", "agent123").await;
    assert_eq!(app.send(page("/admin/mail", Some(&agent))).await.status, StatusCode::FORBIDDEN);

    // The sender gets an account; the form, posted without JavaScript, takes the mail in again.
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let body = serde_json::json!({ "name": "Newcomer", "email": "newcomer@example.net", "password": "Newcomer-42", "role": "user" });
    assert_eq!(app.post("/api/superadmin/users", Some(&superadmin), body).await.status, StatusCode::CREATED);
    let id = app.get("/api/admin/mail/inbound", Some(&admin)).await.body["mails"][0]["id"].as_i64().unwrap();
    let mut form = form_post("/rpc/admin/mail/inbound/process", &format!("id={id}"), "/admin/mail");
    form.headers_mut().insert(header::COOKIE, format!("helpdesk_session={admin}").parse().unwrap());
    let done = app.send(form).await;
    assert!(done.status.is_redirection(), "{:?}", done.body);
    assert!(location(&done).starts_with("/admin/mail?processed=created"), "{}", location(&done));
    let listed = app.get("/api/admin/mail/inbound", Some(&admin)).await;
    assert_eq!(listed.body["mails"][0]["outcome"], "created", "{:?}", listed.body);
}

#[tokio::test]
async fn the_admin_dashboard_lists_the_busiest_agents_and_says_how_many_there_are() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let agents_before = app.get("/api/admin/agents", Some(&admin)).await.body["agents"].as_array().map_or(0, Vec::len);
    for n in 0..11 {
        let body = serde_json::json!({ "name": format!("Extra Agent {n:02}"), "email": format!("extra{n}@example.com"), "password": "extra-agent-pass", "role": "agent" });
        assert!(app.post("/api/superadmin/users", Some(&superadmin), body).await.status.is_success());
    }
    let reply = app.send(page("/admin", Some(&admin))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let page = html(&reply);
    let start = page.find("id=\"agents-heading\"").expect("the agent table");
    let end = start + page[start..].find("</table>").unwrap();
    assert_eq!(page[start..end].matches("<tr>").count(), 1 + helpdesk::features::admin::DASHBOARD_AGENTS, "a header row and the busiest agents");
    let all = agents_before + 11;
    assert!(page.contains(&format!("The 10 busiest of {all} agents")), "{}", &page[start..end]);
    // The API still answers every agent.
    let api = app.get("/api/admin/dashboard", Some(&admin)).await;
    assert_eq!(api.body["dashboard"]["agentPerformance"].as_array().unwrap().len(), all);
}
