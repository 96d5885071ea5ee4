//! `format=flowed` text (RFC 3676), as Thunderbird and Apple Mail send it: a line that ends in
//! a space goes on in the next one. Joined back, a reply reads as it was typed, not as the
//! mail client wrapped it for the wire.

/// The paragraphs of flowed `text` joined; `delsp` (the part's `DelSp=yes`) says the space
/// that marks a soft break was added by the wrapping and is not the writer's.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    // The paragraph being joined, and its quote depth.
    let mut open: Option<(usize, String)> = None;
    for line in text.lines() {
        let depth = line.chars().take_while(|c| *c == '>').count();
        let mut content = &line[depth..];
        // Space-stuffing: a line beginning with a space (or `>`, `From `) got one more.
        if let Some(rest) = content.strip_prefix(' ') {
            content = rest;
        }
        let soft = content.ends_with(' ') && content != "-- ";
        let piece = if soft && delsp { &content[..content.len() - 1] } else { content };
        match open.take() {
            Some((d, mut joined)) if d == depth => {
                joined.push_str(piece);
                open = Some((depth, joined));
            }
            Some((d, joined)) => {
                out.push(with_quote(d, &joined));
                open = Some((depth, piece.to_string()));
            }
            None => open = Some((depth, piece.to_string())),
        }
        if !soft {
            if let Some((d, joined)) = open.take() {
                out.push(with_quote(d, &joined));
            }
        }
    }
    if let Some((d, joined)) = open {
        out.push(with_quote(d, &joined));
    }
    out.join("\n")
}

fn with_quote(depth: usize, text: &str) -> String {
    match depth {
        0 => text.to_string(),
        _ => format!("{} {text}", ">".repeat(depth)),
    }
}

#[cfg(test)]
mod tests {
    use super::unflow;

    #[test]
    fn soft_breaks_are_joined_hard_ones_and_quote_levels_kept() {
        let cases: &[(&str, bool, &str)] = &[
            ("plain line\nanother", false, "plain line\nanother"),
            ("The bookmark still \npoints to the old portal.", false, "The bookmark still points to the old portal."),
            ("Zusammen\ngeschrieben", true, "Zusammen\ngeschrieben"),
            ("Zusammen \ngeschrieben", true, "Zusammengeschrieben"),
            ("one \ntwo \nthree\nfour", false, "one two three\nfour"),
            ("> quoted \n> on\nmine", false, "> quoted on\nmine"),
            ("mine \n> quoted", false, "mine \n> quoted"),
            (">> deep \n>> er", false, ">> deep er"),
            ("Thanks,\n-- \nJohn", false, "Thanks,\n-- \nJohn"),
            ("  stuffed line", false, " stuffed line"),
            ("", false, ""),
        ];
        for (input, delsp, expected) in cases {
            assert_eq!(unflow(input, *delsp), *expected, "{input:?} (delsp {delsp})");
        }
    }
}
