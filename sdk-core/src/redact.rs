//! Secrets out of URLs: every URL the runtime hands back (in an error or a response) goes through
//! [`redact_url`] first.

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
}
