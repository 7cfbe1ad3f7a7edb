//! Secrets out of URLs: every URL the runtime hands back (in an error or a response) goes through
//! [`redact_url`] first.

use std::sync::Arc;

use reqwest::Url;

/// What replaces a secret.
pub const REDACTED: &str = "REDACTED";

/// Replaces the values of the named query parameters, and any password in the URL's user info, by
/// [`REDACTED`]. Returns whether anything was replaced.
pub fn redact_url(url: &mut Url, secret_parameters: &[&str]) -> bool {
    let mut changed = false;
    if url.password().is_some_and(|password| password != REDACTED) {
        let _ = url.set_password(Some(REDACTED));
        changed = true;
    }
    if url.query().is_some()
        && url
            .query_pairs()
            .any(|(name, value)| value != REDACTED && is_secret(&name, secret_parameters))
    {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret(&name, secret_parameters) {
                    REDACTED.into()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    changed
}

/// Whether [`redact_url`] would change `url`.
pub fn has_secret(url: &Url, secret_parameters: &[&str]) -> bool {
    url.password().is_some_and(|password| password != REDACTED)
        || (url.query().is_some()
            && url
                .query_pairs()
                .any(|(name, value)| value != REDACTED && is_secret(&name, secret_parameters)))
}

fn is_secret(name: &str, secret_parameters: &[&str]) -> bool {
    secret_parameters
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// The secret values a client or a call holds, each in every form a server may echo it: as is, JSON-escaped,
/// percent-encoded (upper- and lower-case hex) and form-encoded. Cheap to clone (shared).
#[derive(Clone, Default)]
pub(crate) struct Patterns(Arc<Vec<Vec<u8>>>);

impl std::fmt::Debug for Patterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Patterns({} redacted)", self.0.len())
    }
}

/// Secrets shorter than this are not scrubbed from bodies and headers: replacing every `1` or `ab` of a
/// document would destroy it and hide nothing (such a secret is guessed in no time anyway).
const SHORTEST_SCRUBBED: usize = 4;

impl Patterns {
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self::default().with(secrets)
    }

    /// These patterns and the forms of `secrets`.
    pub(crate) fn with<'a>(&self, secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut all: Vec<Vec<u8>> = self.0.as_ref().clone();
        for secret in secrets {
            if secret.len() < SHORTEST_SCRUBBED {
                continue;
            }
            let json = serde_json::to_string(secret).unwrap_or_default();
            let json = json.trim_matches('"').to_string();
            let upper = percent(secret, false, false);
            let lower = percent(secret, false, true);
            let form = percent(secret, true, false);
            for form in [secret.to_string(), json, upper, lower, form] {
                let form = form.into_bytes();
                if !all.contains(&form) {
                    all.push(form);
                }
            }
        }
        // Longest first: a secret that contains another is replaced whole.
        all.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Self(Arc::new(all))
    }

    pub(crate) fn found_in(&self, text: &[u8]) -> bool {
        self.0.iter().any(|p| find(text, p).is_some())
    }

    /// `text` with every pattern replaced by [`REDACTED`], or `None` when it holds none (no copy made).
    pub(crate) fn scrub(&self, text: &[u8]) -> Option<Vec<u8>> {
        if !self.found_in(text) {
            return None;
        }
        let mut out = text.to_vec();
        for pattern in self.0.iter() {
            let mut at = 0;
            while let Some(found) = find(&out[at..], pattern) {
                let start = at + found;
                out.splice(start..start + pattern.len(), REDACTED.bytes());
                at = start + REDACTED.len();
            }
        }
        Some(out)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Percent-encoding of everything but RFC 3986 unreserved bytes (`form`: a space becomes `+`).
fn percent(text: &str, form: bool, lower: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' if form => out.push('+'),
            _ if lower => out.push_str(&format!("%{byte:02x}")),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Appends to `out` the values of the members named `members` (at any depth) of a JSON or form body.
pub(crate) fn body_members(body: &[u8], members: &[&str], out: &mut Vec<String>) {
    fn walk(value: &serde_json::Value, members: &[&str], out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, value) in map {
                    match value {
                        serde_json::Value::String(text) if members.contains(&name.as_str()) => {
                            out.push(text.clone())
                        }
                        _ => walk(value, members, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, members, out)),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => walk(&value, members, out),
        Err(_) => out.extend(
            url::form_urlencoded::parse(body)
                .filter(|(name, _)| members.contains(&name.as_ref()))
                .map(|(_, value)| value.into_owned()),
        ),
    }
}

/// Redacts every header value in place: a URL-valued one (`Location`, `Content-Location`, ..., absolute or
/// relative to `base`) has its secret query parameters and user-info password redacted, and every held
/// secret is scrubbed from every value. Values with nothing to hide are left untouched (no copy).
pub(crate) fn redact_headers(
    headers: &mut reqwest::header::HeaderMap,
    base: &Url,
    secret_parameters: &[&str],
    secrets: &Patterns,
) {
    for value in headers.values_mut() {
        if let Some(new) = redacted_value(value, base, secret_parameters, secrets)
            && let Ok(mut new) = reqwest::header::HeaderValue::from_bytes(&new)
        {
            new.set_sensitive(value.is_sensitive());
            *value = new;
        }
    }
}

/// Whether [`redact_headers`] would change any of `headers` (asked first, so that an answer with nothing to
/// hide is not copied).
pub(crate) fn headers_need_redaction(
    headers: &reqwest::header::HeaderMap,
    base: &Url,
    secret_parameters: &[&str],
    secrets: &Patterns,
) -> bool {
    headers
        .values()
        .any(|value| redacted_value(value, base, secret_parameters, secrets).is_some())
}

/// One header value redacted, or `None` when it holds nothing to hide.
fn redacted_value(
    value: &reqwest::header::HeaderValue,
    base: &Url,
    secret_parameters: &[&str],
    secrets: &Patterns,
) -> Option<Vec<u8>> {
    let mut changed: Option<Vec<u8>> = None;
    let bytes = value.as_bytes();
    // Only a value with `://` or a leading `/` can be a URL (asked of the bytes: most values are not).
    let url_like = bytes.trim_ascii_start().first() == Some(&b'/')
        || bytes.windows(3).any(|window| window == b"://");
    if url_like
        && let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(mut url) = base.join(text.trim())
        && redact_url(&mut url, secret_parameters)
    {
        changed = Some(url.as_str().as_bytes().to_vec());
    }
    if let Some(scrubbed) = secrets.scrub(changed.as_deref().unwrap_or(bytes)) {
        changed = Some(scrubbed);
    }
    changed
}

/// A URL for display: any password in its user info redacted (also when it does not parse).
pub fn redact_base_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            redact_url(&mut parsed, &[]);
            parsed.to_string()
        }
        // Unparsable: whatever precedes an `@` may be a user name and password.
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("<user info redacted>@{host}"),
            None => url.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_named_parameters_and_user_info_only() {
        let mut url = Url::parse(
            "https://user:pw@h.example/p?auth-userid=7&API-KEY=s%20ecret&x=1&passwd=hunter2",
        )
        .unwrap();
        assert!(redact_url(&mut url, &["api-key", "passwd"]));
        assert_eq!(
            url.as_str(),
            "https://user:REDACTED@h.example/p?auth-userid=7&API-KEY=REDACTED&x=1&passwd=REDACTED"
        );
        assert!(
            !redact_url(&mut url, &["api-key", "passwd"]),
            "redacting twice changes nothing"
        );
        assert!(!has_secret(&url, &["api-key", "passwd"]));
        assert!(has_secret(
            &Url::parse("https://h.example/p?x=1&Passwd=a").unwrap(),
            &["passwd"]
        ));
        assert!(has_secret(
            &Url::parse("https://u:pw@h.example/p").unwrap(),
            &[]
        ));
        assert!(!has_secret(
            &Url::parse("https://u@h.example/p?x=1").unwrap(),
            &["passwd"]
        ));
    }

    #[test]
    fn every_echoed_form_of_a_secret_is_scrubbed() {
        let secrets = Patterns::new(["p@ss word/é\"x", "ab"]);
        for echoed in [
            "p@ss word/é\"x",
            "p%40ss%20word%2F%C3%A9%22x",
            "p%40ss%20word%2f%c3%a9%22x",
            "p%40ss+word%2F%C3%A9%22x",
            "p@ss word/é\\\"x",
        ] {
            let text = format!("{{\"echo\": \"{echoed}\", \"n\": 1}}");
            let scrubbed = secrets.scrub(text.as_bytes()).expect(echoed);
            assert_eq!(
                String::from_utf8(scrubbed).unwrap(),
                "{\"echo\": \"REDACTED\", \"n\": 1}",
                "{echoed}"
            );
        }
        assert!(
            secrets.scrub(b"nothing here, ab").is_none(),
            "too short to scrub"
        );
    }

    #[test]
    fn headers_lose_secret_parameters_passwords_and_held_secrets() {
        let base = Url::parse("https://api.example/v1/x").unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "location",
            "/v1/y?smtp_password=hunter22&a=1".parse().unwrap(),
        );
        headers.insert(
            "content-location",
            "http://u:pw12@h.example/".parse().unwrap(),
        );
        headers.insert("x-echo", "key=KEY-1234 and more".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        redact_headers(
            &mut headers,
            &base,
            &["smtp_password"],
            &Patterns::new(["KEY-1234"]),
        );
        assert_eq!(
            headers["location"],
            "https://api.example/v1/y?smtp_password=REDACTED&a=1"
        );
        assert_eq!(headers["content-location"], "http://u:REDACTED@h.example/");
        assert_eq!(headers["x-echo"], "key=REDACTED and more");
        assert_eq!(headers["content-type"], "application/json");
    }

    #[test]
    fn password_members_of_json_and_form_bodies_are_found() {
        let mut found = Vec::new();
        body_members(
            br#"{"a": {"password": "pw-1"}, "list": [{"password": "pw-2"}], "password2": "x"}"#,
            &["password"],
            &mut found,
        );
        body_members(b"user=u&password=pw+3&x=1", &["password"], &mut found);
        assert_eq!(found, ["pw-1", "pw-2", "pw 3"]);
    }
}
