//! Hostile text in every field a person can fill, then every page that shows it, rendered on
//! the server for every role that sees it and parsed as a browser would: the data must show as
//! text and never become an element, an attribute or a script.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use scraper::{Html, Selector};
use serde_json::{json, Value};

/// Each payload would add an `<x-hostile>` element, an event handler, a script that sets
/// `window.__hostile`, or a `javascript:` link if it reached the markup unescaped.
const HOSTILE: &[&str] = &[
    "</title><script>window.__hostile=1</script><x-hostile></x-hostile>",
    "\"><svg onload=\"window.__hostile=2\"><x-hostile>",
    "'><img src=x onerror=window.__hostile=3><x-hostile>",
    "</textarea><x-hostile onmouseover=window.__hostile=4>",
    "</script><script>window.__hostile=5</script><x-hostile>",
    "<!--<x-hostile>--><x-hostile>",
    "javascript:window.__hostile=7",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3 <x-hostile>",
    "@SUM(A1) <x-hostile>",
    "</style><x-hostile>&amp;&lt;x-hostile&gt;",
];

fn page(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().uri(path).header(header::ACCEPT, "text/html");
    if let Some(token) = token {
        builder = builder.header(header::COOKIE, format!("helpdesk_session={token}"));
    }
    builder.body(Body::empty()).unwrap()
}

fn rpc_form(path: &str, token: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("helpdesk_session={token}"))
        .header(header::REFERER, "http://localhost/superadmin/settings")
        .body(Body::from(body))
        .unwrap()
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// Everything the data could have brought into the document, described for the failure message.
fn injected(document: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for element in document.tree.nodes().filter_map(scraper::ElementRef::wrap) {
        let el = element.value();
        if matches!(el.name(), "x-hostile" | "img" | "iframe" | "object" | "embed") {
            found.push(format!("element <{}>", el.name()));
        }
        for (name, value) in el.attrs() {
            if name.starts_with("on") {
                found.push(format!("attribute {name}={value:?} on <{}>", el.name()));
            }
            if matches!(name, "href" | "src" | "action" | "formaction") && value.trim().to_ascii_lowercase().starts_with("javascript:") {
                found.push(format!("{name}={value:?} on <{}>", el.name()));
            }
        }
        if el.name() == "script" && element.text().collect::<String>().contains("window.__hostile=") && !is_data_script(&element) {
            found.push(format!("script {:?}", element.text().collect::<String>()));
        }
    }
    // One document title; SVG charts carry `<title>`s of their own (their tooltips).
    let in_svg = |e: &scraper::ElementRef| e.ancestors().any(|a| a.value().as_element().is_some_and(|x| x.name() == "svg"));
    let titles = document.select(&sel("title")).filter(|t| !in_svg(t)).count();
    if titles != 1 {
        found.push(format!("{titles} document <title> elements"));
    }
    found
}

/// Leptos writes the resources it loaded on the server into scripts, as JSON strings, for
/// hydration: the hostile text is there as data (inside a string literal), which is fine.
fn is_data_script(script: &scraper::ElementRef) -> bool {
    let text = script.text().collect::<String>();
    !text.trim_start().starts_with("window.__hostile")
}

/// The visible text of the body (scripts excluded), to check the data was shown at all.
fn visible_text(document: &Html) -> String {
    let mut text = String::new();
    for node in document.select(&sel("body")).next().unwrap().descendants() {
        if let Some(t) = node.value().as_text() {
            let in_script = node.ancestors().any(|a| a.value().as_element().is_some_and(|e| e.name() == "script" || e.name() == "template"));
            if !in_script {
                text.push_str(t);
            }
        }
    }
    text
}

struct World {
    app: TestApp,
    superadmin: String,
    admin: String,
    agent: String,
    requester: String,
    tickets: Vec<i64>,
    hostile_user: i64,
    /// The requester of each ticket, signed in.
    requesters: Vec<String>,
}

async fn ok(reply: common::Reply, what: &str) -> Value {
    assert!(reply.status.is_success(), "{what}: {} {:?}", reply.status, reply.body);
    reply.body
}

/// Puts every payload into every field a person can fill.
async fn hostile_world() -> World {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let token = Some(superadmin.as_str());

    // Categories allow only letters, digits and dashes, so a leading dash is their only trick.
    let settings = json!({ "categories": ["technical", "billing", "-2-calc"], "maxTicketsPerAgent": 50 });
    ok(app.request(Method::PUT, "/api/superadmin/settings", token, Some(settings)).await, "settings").await;

    // A requester and an agent whose names and departments are hostile, plus one user per payload.
    let create = |name: &str, email: String, role: &str| {
        json!({ "name": name, "email": email, "password": "password123", "role": role, "department": name, "phone": "" })
    };
    let agent_body = create(HOSTILE[1], "hostile-agent@example.com".into(), "agent");
    let agent_id = ok(app.post("/api/superadmin/users", token, agent_body).await, "agent").await["user"]["id"].as_i64().unwrap();
    let mut users = Vec::new();
    for (i, payload) in HOSTILE.iter().enumerate() {
        let body = create(payload, format!("hostile{i}@example.com"), "user");
        users.push(ok(app.post("/api/superadmin/users", token, body).await, "user").await["user"]["id"].as_i64().unwrap());
    }
    let agent = app.login("hostile-agent@example.com", "password123").await;
    let mut requesters = Vec::new();
    for i in 0..HOSTILE.len() {
        requesters.push(app.login(&format!("hostile{i}@example.com"), "password123").await);
    }
    let requester = requesters[0].clone();

    let mut tickets = Vec::new();
    for (i, payload) in HOSTILE.iter().enumerate() {
        let body = json!({ "title": format!("T{i} {payload}"), "description": payload, "category": if i % 2 == 0 { "technical" } else { "-2-calc" }, "priority": "high", "userId": users[i] });
        let id = ok(app.post("/api/tickets", Some(&admin), body).await, "ticket").await["ticket"]["id"].as_i64().unwrap();
        let assign = json!({ "agentId": agent_id });
        ok(app.request(Method::PUT, &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(assign)).await, "assign").await;
        for internal in [false, true] {
            let note = json!({ "note": payload, "internal": internal });
            ok(app.post(&format!("/api/agents/ticket/{id}/note"), Some(&agent), note).await, "note").await;
        }
        tickets.push(id);
    }
    // The requester answers in the conversation (through the page's form); a third of the
    // tickets close with hostile resolution notes, the rest stay open (with the edit form).
    for (i, payload) in HOSTILE.iter().enumerate() {
        let id = tickets[i];
        if i == 0 {
            let reply = app.send(rpc_form("/rpc/tickets/note", &requester, &[("id", &id.to_string()), ("text", payload), ("internal", "false")])).await;
            assert!(reply.status.is_success() || reply.status.is_redirection(), "reply: {:?}", reply.body);
        }
        if i % 3 == 2 {
            let version = app.get(&format!("/api/tickets/{id}"), Some(&agent)).await.body["ticket"]["version"].as_i64().unwrap();
            let body = json!({ "status": "in-progress", "version": version });
            ok(app.request(Method::PUT, &format!("/api/agents/ticket/{id}/status"), Some(&agent), Some(body)).await, "status").await;
            let body = json!({ "resolutionNotes": payload, "version": version + 1 });
            ok(app.request(Method::PUT, &format!("/api/tickets/{id}/close"), Some(&agent), Some(body)).await, "close").await;
        }
    }
    World { app, superadmin, admin, agent, requester, tickets, hostile_user: users[0], requesters }
}

/// Renders the page and checks it; `shows` is a text that must be visible on it.
async fn check(world: &World, path: &str, token: Option<&str>, shows: Option<&str>) -> Html {
    let reply = world.app.send(page(path, token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}");
    let html = reply.body.as_str().unwrap_or_default();
    let document = Html::parse_document(html);
    let found = injected(&document);
    assert!(found.is_empty(), "{path} took markup from the data: {found:#?}");
    if let Some(text) = shows {
        assert!(visible_text(&document).contains(text), "{path} does not show {text:?} as text");
    }
    document
}

#[tokio::test]
async fn the_ticket_page_title_cannot_end_the_title_element() {
    let world = hostile_world().await;
    let id = world.tickets[0];
    let document = check(&world, &format!("/tickets/{id}"), Some(&world.admin), Some(HOSTILE[0])).await;
    let title: String = document.select(&sel("head > title")).next().expect("a title in the head").text().collect();
    assert_eq!(title, format!("#{id} T0 {} · Help Desk", HOSTILE[0]));
}

#[tokio::test]
async fn every_page_shows_hostile_text_as_text_for_every_role() {
    let world = hostile_world().await;
    let (sa, admin, agent, user) = (Some(world.superadmin.as_str()), Some(world.admin.as_str()), Some(world.agent.as_str()), Some(world.requester.as_str()));
    let all = HOSTILE.iter().map(|p| format!("/tickets/{}", world.tickets[HOSTILE.iter().position(|x| x == p).unwrap()]));

    // Each ticket page, as the admin, the super admin and the assigned agent.
    for (path, payload) in all.zip(HOSTILE) {
        for token in [admin, sa, agent] {
            check(&world, &path, token, Some(payload)).await;
        }
    }
    // Each requester's own ticket, with the agent's public reply; the open ones carry the
    // requester's edit form, whose textarea holds the description.
    for (i, id) in world.tickets.iter().enumerate() {
        check(&world, &format!("/tickets/{id}"), Some(&world.requesters[i]), Some(HOSTILE[i])).await;
    }

    let searches = HOSTILE.iter().map(|p| urlencode(p)).collect::<Vec<_>>();
    let mut pages: Vec<(String, Option<&str>, Option<&str>)> = vec![
        ("/user".into(), user, Some(HOSTILE[0])),
        ("/user/tickets".into(), user, Some(HOSTILE[0])),
        ("/profile".into(), user, None),
        ("/tickets/new".into(), user, None),
        ("/agent".into(), agent, Some(HOSTILE[1])),
        ("/agent/tickets".into(), agent, Some(HOSTILE[10])),
        ("/profile".into(), agent, None),
        ("/admin".into(), admin, Some(HOSTILE[1])),
        ("/admin/tickets".into(), admin, Some(HOSTILE[10])),
        ("/admin/tickets?category=-2-calc".into(), admin, Some(HOSTILE[3])),
        ("/admin/reports".into(), admin, Some("-2-calc")),
        ("/superadmin".into(), sa, Some(HOSTILE[11])),
        ("/superadmin/users".into(), sa, Some(HOSTILE[11])),
        (format!("/superadmin/users/{}", world.hostile_user), sa, Some(HOSTILE[0])),
        ("/superadmin/settings".into(), sa, Some("-2-calc")),
        ("/superadmin/audit".into(), sa, None),
        ("/login?next=javascript:alert(1)".into(), None, None),
        (format!("/reset-password?token={}", searches[0]), None, None),
    ];
    for q in &searches {
        pages.push((format!("/user/tickets?q={q}"), user, None));
        pages.push((format!("/agent/tickets?q={q}"), agent, None));
        pages.push((format!("/admin/tickets?q={q}"), admin, None));
        pages.push((format!("/superadmin/users?q={q}"), sa, None));
        pages.push((format!("/superadmin/audit?q={q}"), sa, None));
    }
    for (path, token, shows) in &pages {
        check(&world, path, *token, *shows).await;
    }
}

#[tokio::test]
async fn a_hostile_category_in_a_form_post_comes_back_as_text() {
    let world = hostile_world().await;
    for payload in HOSTILE {
        let form = [("categories", *payload), ("sla_low", "72"), ("sla_medium", "48"), ("sla_high", "24"), ("sla_critical", "4"), ("max_tickets_per_agent", "10")];
        let reply = world.app.send(rpc_form("/rpc/super/settings/save", &world.superadmin, &form)).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{payload}");
        let back = reply.headers.get(header::LOCATION).unwrap().to_str().unwrap();
        assert!(back.contains("__err"), "{back}");
        let path = back.trim_start_matches("http://localhost");
        check(&world, path, Some(&world.superadmin), None).await;
    }
}

#[tokio::test]
async fn csv_exports_defuse_formulas_from_hostile_text() {
    let world = hostile_world().await;
    let reply = world.app.get("/api/admin/tickets/export.csv", Some(&world.admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = reply.body.as_str().unwrap().to_string();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(!cell.starts_with(['=', '+', '-', '@']), "a cell a spreadsheet would run: {cell:?}");
        }
    }
    assert!(cells > HOSTILE.len() * 5, "the export has the hostile tickets");
    assert!(text.contains("'-2-calc"), "the category keeps its text, guarded");
    let names: Vec<&str> = HOSTILE.iter().filter(|p| p.starts_with(['=', '+', '-', '@'])).copied().collect();
    assert!(names.iter().all(|n| text.contains(&format!("'{}", n.replace('"', "\"\"")))), "requester names are guarded");
}


#[tokio::test]
async fn notification_mails_carry_hostile_text_as_text() {
    let world = hostile_world().await;
    world.app.outbox_drained().await;
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&world.app.outbox)
        .expect("the outbox folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    // Each ticket mails its requester about the agent's reply, and the closed ones more.
    assert!(files.len() >= HOSTILE.len(), "{} mails", files.len());
    let known = ["from", "to", "subject", "message-id", "in-reply-to", "references", "reply-to", "auto-submitted",
        "x-auto-response-suppress", "mime-version", "content-type", "content-transfer-encoding", "date"];
    let mut hostile_seen = 0;
    for file in files {
        let raw = std::fs::read(&file).unwrap();
        let mail = mail_parser::MessageParser::default().parse(&raw).expect("a mail");
        for (name, _) in mail.headers_raw() {
            assert!(known.contains(&name.to_ascii_lowercase().as_str()), "{}: header {name:?} was added", file.display());
        }
        let html = mail.body_html(0).expect("an HTML part");
        let document = Html::parse_document(&html);
        let found: Vec<String> = injected(&document).into_iter().filter(|f| !f.ends_with("document <title> elements")).collect();
        assert!(found.is_empty(), "{}: {found:?}", file.display());
        let text = document.root_element().text().collect::<String>();
        hostile_seen += HOSTILE.iter().filter(|p| text.contains(*p)).count();
    }
    assert!(hostile_seen > 0, "the hostile text is shown, as text");
}

#[tokio::test]
async fn a_hostile_mail_shows_whole_on_the_ticket_page_as_text_and_only_to_staff() {
    let app = crate::inbound::app().await;
    let body = format!("{}\n\nOn Mon, 7 Dec 2026 at 10:02, Help Desk wrote:\n> {}", HOSTILE.join("\n"), HOSTILE.join("\n> "));
    let subject = format!("Re: [#1] {}", HOSTILE[0]);
    let (_, taken) = crate::inbound::post_mail(&app, &crate::inbound::mail("John Doe <user@gmail.com>", "support@localhost", &subject, "", &body)).await;
    assert_eq!(taken["outcome"], "replied", "{taken}");
    let admin = app.login("admin@gmail.com", "admin123").await;
    let reply = app.send(page("/tickets/1", Some(&admin))).await;
    let document = Html::parse_document(reply.body.as_str().unwrap_or_default());
    assert!(injected(&document).is_empty(), "the mail took markup: {:?}", injected(&document));
    let section: String = document.select(&sel("[data-testid=ticket-mails]")).next().expect("the mail section for staff").text().collect();
    for payload in HOSTILE {
        assert!(section.contains(&format!("> {payload}")), "the whole mail, quote too, shows {payload:?} as text");
    }
    assert!(section.contains("threaded by its subject, from the requester"), "{section}");
    // The requester sees the reply in the conversation, not the mail records.
    let requester = app.login("user@gmail.com", "user123").await;
    let mine = Html::parse_document(app.send(page("/tickets/1", Some(&requester))).await.body.as_str().unwrap_or_default());
    assert!(mine.select(&sel("[data-testid=ticket-mails]")).next().is_none(), "staff only");
    let api = app.get("/api/tickets/1", Some(&requester)).await.body;
    assert_eq!(api["ticket"]["mails"], json!([]), "staff only in the API too");
    let api = app.get("/api/tickets/1", Some(&admin)).await.body;
    assert_eq!(api["ticket"]["mails"][0]["reason"], "threaded by its subject, from the requester", "{api}");
    assert!(api["ticket"]["mails"][0]["text"].as_str().unwrap().contains(&format!("> {}", HOSTILE[1])));
}
