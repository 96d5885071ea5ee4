//! The mail taken in for a ticket, as the staff working it read it: who sent it, what was done
//! with it and why, and the whole mail the reply was cut from (quotes and signatures too).
//! Everything here is text from strangers: it is only ever text, never markup.

use crate::domain::TicketMail;
use crate::ui::when;
use leptos::prelude::*;

#[component]
pub fn TicketMails(mails: Vec<TicketMail>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="mails-heading" data-testid="ticket-mails">
            <h2 id="mails-heading">"Mail"</h2>
            <ol class="thread">
                {mails.into_iter().map(|m| view! {
                    <li class="message">
                        <details>
                            <summary>
                                <strong>{m.sender}</strong> " · " {when(m.received_at)} " · " {m.subject}
                                <span class="meta">" — " {m.outcome} ": " {m.reason}</span>
                            </summary>
                            {match m.text {
                                Some(text) => view! { <p class="prose mail-text">{text}</p> }.into_any(),
                                None => view! { <p class="empty">"The raw mail was larger than mail.keep_raw_kb and was not kept."</p> }.into_any(),
                            }}
                            {(!m.attachments.is_empty()).then(|| view! {
                                <p class="meta">"Attachments: " {m.attachments.join(", ")}</p>
                            })}
                        </details>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
