use crate::error::AppError;
use leptos::prelude::*;

/// A labelled input whose error (from the last submission) is shown right below it.
#[component]
pub fn Field(
    label: &'static str,
    /// The form field name (the server function argument).
    name: &'static str,
    /// The field name errors use, when it differs from `name`.
    #[prop(optional)]
    error_key: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Input>>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let key = error_key.unwrap_or(name);
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = Memo::new(move |_| error.get().and_then(|e| e.message_for(key)));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                node_ref=node_ref
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// An error from the last submission that no field claims (e.g. wrong credentials).
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// Fields the form shows errors beside; errors about other fields show here.
    fields: &'static [&'static str],
) -> impl IntoView {
    let message = move || {
        error.get().filter(|e| e.field.as_deref().is_none_or(|f| !fields.contains(&f))).map(|e| e.message)
    };
    view! {
        <div role="alert" class="form-error-slot">
            {move || message().map(|m| view! { <p class="form-error">{m}</p> })}
        </div>
    }
}

/// A success or information message.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! { <p class="notice" role="status">{children()}</p> }
}

/// A submit button that says when the form is busy.
#[component]
pub fn SubmitButton(label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="primary" aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { "Please wait…" } else { label }}
        </button>
    }
}

/// The message for one field from the last submission's error.
fn field_message(error: Signal<Option<AppError>>, key: &'static str) -> Memo<Option<String>> {
    Memo::new(move |_| error.get().and_then(|e| e.message_for(key)))
}

/// A labelled multi-line text input with its error below.
#[component]
pub fn TextAreaField(
    label: &'static str,
    name: &'static str,
    /// Distinguishes several forms on one page that use the same field name.
    #[prop(default = "")]
    id_suffix: &'static str,
    #[prop(optional)] error_key: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 5)] rows: u32,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Textarea>>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}{id_suffix}");
    let error_id = format!("{id}-error");
    let message = field_message(error, error_key.unwrap_or(name));
    let described = {
        let error_id = error_id.clone();
        move || message.get().map(|_| error_id.clone())
    };
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                maxlength=maxlength
                node_ref=node_ref.unwrap_or_default()
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described
            >
                {super::verbatim_safe(value.unwrap_or_default())}
            </textarea>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The `<option>`s of a select as one escaped HTML string (for `inner_html`): the agents of a
/// large help desk are hundreds of options, which as views were built again at each of the
/// three passes of a server render, and hydrated one by one. Values and labels are escaped
/// (an agent's name is anyone's text); the option whose value is `selected` is marked.
pub fn options_html(options: &[(String, String)], selected: Option<&str>) -> String {
    let mut html = String::with_capacity(options.len() * 48);
    for (value, text) in options {
        let mark = if selected == Some(value.as_str()) { " selected" } else { "" };
        html.push_str(&format!("<option value=\"{}\"{mark}>{}</option>", crate::ui::escape_html(value), crate::ui::escape_html(text)));
    }
    html
}

/// A labelled select; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "")] id_suffix: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: Option<String>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Select>>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}{id_suffix}");
    let error_id = format!("{id}-error");
    let message = field_message(error, name);
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name node_ref=node_ref.unwrap_or_default()
                aria-invalid=move || message.get().is_some().then_some("true")
                inner_html=options_html(&options, selected.as_deref())>
            </select>
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// Shows `render(value)` once `resource` has loaded, its error message if loading failed, and
/// "Loading…" meanwhile.
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::options_html;

    #[test]
    fn options_are_escaped_and_the_chosen_one_is_marked() {
        let options = vec![
            (String::new(), "Anyone".to_string()),
            ("7".to_string(), "<img src=x onerror=alert(1)> & \"Bob\"".to_string()),
            ("\"><script>".to_string(), "x".to_string()),
        ];
        assert_eq!(
            options_html(&options, Some("7")),
            "<option value=\"\">Anyone</option>\
             <option value=\"7\" selected>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;</option>\
             <option value=\"&quot;&gt;&lt;script&gt;\">x</option>"
        );
        assert!(options_html(&options, None).matches(" selected").count() == 0);
        assert!(options_html(&options, Some("")).starts_with("<option value=\"\" selected>"));
    }
}
