//! `/api/docs`: a reference page for the REST API, rendered on the server from the OpenAPI
//! document itself (so it cannot disagree with it). No script and no CDN: plain HTML with a
//! stylesheet from `/api/docs.css`, so it passes the app's CSP. Every text is escaped.

use serde_json::Value;
use std::fmt::Write;
use std::sync::OnceLock;

pub const STYLESHEET: &str = include_str!("docs.css");

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The page, rendered once: the document only changes with the code.
pub fn page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let doc: Value = serde_json::from_str(super::openapi::document_json()).unwrap_or(Value::Null);
        render(&doc)
    })
}

use crate::ui::escape_html as escape;

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn render(doc: &Value) -> String {
    let title = escape(text(&doc["info"], "title"));
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/api/docs.css\"></head><body><main>\n<h1>{title}</h1>\n\
         <p>{}</p>\n<p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}).</p>\n",
        escape(text(&doc["info"], "description")),
        escape(text(doc, "openapi")),
    );
    for tag in doc["tags"].as_array().into_iter().flatten() {
        render_tag(&mut html, doc, tag);
    }
    render_schemas(&mut html, doc);
    html.push_str("</main></body></html>\n");
    html
}

fn render_tag(html: &mut String, doc: &Value, tag: &Value) {
    let name = text(tag, "name");
    let _ = write!(html, "<section><h2 id=\"tag-{0}\">{0}</h2>\n<p>{1}</p>\n", escape(name), escape(text(tag, "description")));
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            if op["tags"].as_array().is_some_and(|tags| tags.iter().any(|t| t == name)) {
                render_operation(html, method, path, op);
            }
        }
    }
    html.push_str("</section>\n");
}

fn render_operation(html: &mut String, method: &str, path: &str, op: &Value) {
    let _ = write!(
        html,
        "<article class=\"op\"><h3><span class=\"method {m}\">{M}</span> <code>{p}</code></h3>\n<p class=\"summary\">{s}</p>\n",
        m = method,
        M = method.to_uppercase(),
        p = escape(path),
        s = escape(text(op, "summary")),
    );
    if !text(op, "description").is_empty() {
        let _ = writeln!(html, "<p>{}</p>", escape(text(op, "description")));
    }
    let public = op["security"].as_array().is_some_and(|reqs| reqs.iter().all(|r| r.as_object().is_some_and(|o| o.is_empty())));
    html.push_str(if public { "<p class=\"auth\">No sign-in needed.</p>\n" } else { "<p class=\"auth\">Needs a bearer token or the session cookie.</p>\n" });
    render_parameters(html, op);
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = writeln!(html, "<h4>Request body (application/json)</h4><p>{}</p>", schema_text(schema));
    }
    render_responses(html, op);
    html.push_str("</article>\n");
}

fn render_parameters(html: &mut String, op: &Value) {
    let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) else { return };
    html.push_str("<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>\n");
    for p in params {
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(text(p, "name")),
            escape(text(p, "in")),
            schema_text(&p["schema"]),
            if p["required"] == true { "yes" } else { "no" },
            escape(text(p, "description")),
        );
    }
    html.push_str("</table>\n");
}

fn render_responses(html: &mut String, op: &Value) {
    html.push_str("<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>body</th></tr>\n");
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        let body = response["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(kind, content)| format!("{} <small>({})</small>", schema_text(&content["schema"]), escape(kind)))
            .collect::<Vec<_>>()
            .join("<br>");
        let retry = if response.pointer("/headers/Retry-After").is_some() { " <small>Retry-After header</small>" } else { "" };
        let _ = writeln!(html, "<tr><td>{}</td><td>{}{retry}</td><td>{body}</td></tr>", escape(status), escape(text(response, "description")));
    }
    html.push_str("</table>\n");
}

/// Every named schema with its properties.
fn render_schemas(html: &mut String, doc: &Value) {
    html.push_str("<section><h2 id=\"schemas\">Schemas</h2>\n");
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        let _ = writeln!(html, "<article class=\"schema\"><h3 id=\"schema-{0}\">{0}</h3>", escape(name));
        if !text(schema, "description").is_empty() {
            let _ = writeln!(html, "<p>{}</p>", escape(text(schema, "description")));
        }
        let _ = writeln!(html, "<p>{}</p></article>", schema_text(schema));
    }
    html.push_str("</section>\n");
}

/// A schema as readable HTML: references link to their section; objects list their
/// properties (required ones marked); arrays, unions and enums say what they hold.
fn schema_text(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = escape(reference.rsplit('/').next().unwrap_or_default());
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    for (key, joiner) in [("allOf", " and "), ("oneOf", " or "), ("anyOf", " or ")] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            return parts.iter().map(schema_text).collect::<Vec<_>>().join(joiner);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", escape(&v.to_string()))).collect();
        return format!("one of {}", names.join(", "));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        return object_text(schema, properties);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        Value::String(kind) => kind.clone(),
        _ => "any".to_string(),
    };
    let mut out = escape(&kind);
    if let Some(items) = schema.get("items") {
        out = format!("{out} of {}", schema_text(items));
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        out = format!("{out} of name → {}", schema_text(values));
    }
    if !text(schema, "format").is_empty() {
        out = format!("{out} <small>({})</small>", escape(text(schema, "format")));
    }
    out
}

fn object_text(schema: &Value, properties: &serde_json::Map<String, Value>) -> String {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut out = String::from("object<ul>");
    for (name, property) in properties {
        let mark = if required.contains(&name.as_str()) { " <small>required</small>" } else { "" };
        let about = text(property, "description");
        let about = if about.is_empty() { String::new() } else { format!(" — {}", escape(about)) };
        let _ = write!(out, "<li><code>{}</code>{mark}: {}{about}</li>", escape(name), schema_text(property));
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn the_page_lists_operations_and_carries_no_script() {
        let page = page();
        assert!(page.contains("<code>/api/tickets/{id}/close</code>"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("<style"));
    }
}
