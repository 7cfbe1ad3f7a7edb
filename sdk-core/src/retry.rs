//! When and how long the runtime waits before sending a request again (see [`RetryPolicy`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};

/// How the delay before a retry is drawn from the capped exponential backoff
/// `min(max_delay, base_delay * 2^(attempt - 1))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jitter {
    /// A uniform draw in `[0, backoff]` ("full jitter"): spreads clients that failed together the most.
    Full,
    /// A uniform draw in `[base_delay, 3 * previous delay]`, capped ("decorrelated jitter").
    Decorrelated,
    /// Exactly the backoff (deterministic; for tests and callers that add their own jitter).
    None,
}

/// Which requests the runtime sends again, how often, and how long it waits in between.
///
/// Only requests that are safe to repeat are retried: the idempotent methods `GET`, `HEAD`, `PUT`, `DELETE`
/// and `OPTIONS`, whose body (if any) can be copied. `POST` and `PATCH` are never retried: they may create
/// something twice. A request is retried when
///
/// - it failed in transport (connection refused or reset, a timeout, a connection closed before the answer), or
/// - the answer is `429 Too Many Requests`, `502 Bad Gateway`, `503 Service Unavailable` or
///   `504 Gateway Timeout`.
///
/// The wait is the answer's `Retry-After` (seconds or an HTTP date) when it has one, else a capped exponential
/// backoff with [`Jitter`]. A `Retry-After` longer than [`RetryPolicy::max_retry_after`] is not waited for:
/// the answer goes back to the caller at once, its status and headers kept. When the attempts are used up,
/// the caller gets the last answer or error, exactly as without retries. The client's `timeout` applies to
/// each attempt.
///
/// The default ([`RetryPolicy::default`]): 3 attempts, 200 ms base delay, 5 s maximum backoff, full jitter,
/// `Retry-After` honoured up to 30 s. [`RetryPolicy::none`] switches retries off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// Every request is sent once.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_retry_after: Duration::ZERO,
            jitter: Jitter::None,
        }
    }

    /// How many times a request may be sent in all (the first attempt included); `0` counts as `1`.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles with each further retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The cap on the backoff.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` the runtime waits for; a longer one ends the retries.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a request with this method may be sent more than once.
    pub fn retries_method(&self, method: &Method) -> bool {
        self.max_attempts > 1
            && matches!(
                *method,
                Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
            )
    }

    /// The wait before attempt `attempt + 1` after an answer with `status` and `headers`, or `None` when the
    /// answer is final.
    pub(crate) fn after_response(
        &self,
        attempt: u32,
        previous: Duration,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || !retried_status(status) {
            return None;
        }
        match headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
        {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt, previous)),
        }
    }

    /// The wait before attempt `attempt + 1` after a transport error, or `None` when it is final.
    pub(crate) fn after_error(
        &self,
        attempt: u32,
        previous: Duration,
        error: &reqwest::Error,
    ) -> Option<Duration> {
        let transport = error.is_connect() || error.is_timeout() || error.is_request();
        (attempt < self.max_attempts && transport && !unparsable_answer(error))
            .then(|| self.backoff(attempt, previous))
    }

    /// The jittered backoff before attempt `attempt + 1` (`attempt` >= 1), given the previous wait.
    pub(crate) fn backoff(&self, attempt: u32, previous: Duration) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(self.max_delay);
        match self.jitter {
            Jitter::None => exponential,
            Jitter::Full => uniform(Duration::ZERO, exponential),
            Jitter::Decorrelated => {
                let upper = previous.max(self.base_delay).saturating_mul(3);
                uniform(self.base_delay, upper).min(self.max_delay)
            }
        }
    }
}

/// Whether the error is an answer hyper refused to parse (a head too large, a bad status line): the
/// server's answer, not a transient failure, so sending again only repeats it.
fn unparsable_answer(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

fn retried_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// A uniform draw in `[low, high]`, in microseconds. fastrand's thread-local generator is seeded per thread
/// from the OS, which is all jitter needs (it only has to differ between clients).
fn uniform(low: Duration, high: Duration) -> Duration {
    if high <= low {
        return low;
    }
    let low_us = u64::try_from(low.as_micros()).unwrap_or(u64::MAX);
    let high_us = u64::try_from(high.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(fastrand::u64(low_us..=high_us))
}

/// `Retry-After` (RFC 9110 §10.2.3): a number of seconds, or an HTTP date (IMF-fixdate, RFC 850 or asctime
/// form) turned into the time left until then (zero when it is past). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Seconds since the Unix epoch of an HTTP date, in any of its three forms.
fn parse_http_date(value: &str) -> Option<u64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let (day, month, year, time) = match parts.as_slice() {
        // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
        [_, day, month, year, time, "GMT"] => (*day, *month, year.parse::<u64>().ok()?, *time),
        // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT` (two-digit years: 70..99 are 19xx, as RFC 9110 advises)
        [_, date, time, "GMT"] => {
            let mut pieces = date.split('-');
            let (day, month, year) = (pieces.next()?, pieces.next()?, pieces.next()?);
            let year: u64 = year.parse().ok()?;
            let year = if year >= 100 {
                year
            } else if year >= 70 {
                1900 + year
            } else {
                2000 + year
            };
            (day, month, year, *time)
        }
        // asctime: `Sun Nov  6 08:49:37 1994`
        [_, month, day, time, year] => (*day, *month, year.parse::<u64>().ok()?, *time),
        _ => return None,
    };
    let day: u64 = day.parse().ok()?;
    let month = 1 + [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as u64;
    let mut clock = time.split(':').map(|p| p.parse::<u64>().ok());
    let (hours, minutes, seconds) = (clock.next()??, clock.next()??, clock.next()??);
    if !(1..=31).contains(&day) || hours > 23 || minutes > 59 || seconds > 60 || year < 1970 {
        return None;
    }
    // Checked: a server may send any year (999999999999 overflowed the multiplication below). A date too far
    // for u64 seconds is not a date.
    days_from_civil(year, month, day)?
        .checked_mul(86_400)?
        .checked_add(hours * 3_600 + minutes * 60 + seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`), year >= 1970;
/// `None` when it does not fit in a `u64`.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // Bounded operands above (year_of_era < 400, day <= 31); only the era can overflow.
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_all_three_date_forms() {
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 120);
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(value, now),
                Some(Duration::from_secs(120)),
                "{value}"
            );
        }
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = now + Duration::from_secs(1_000);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", later),
            Some(Duration::ZERO),
            "a past date means now"
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(u64::MAX, 12, 31), None);
    }

    #[test]
    fn only_idempotent_methods_are_retried() {
        let policy = RetryPolicy::default();
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            assert!(policy.retries_method(&method), "{method}");
        }
        for method in [Method::POST, Method::PATCH] {
            assert!(!policy.retries_method(&method), "{method}");
        }
        assert!(!RetryPolicy::none().retries_method(&Method::GET));
    }

    #[test]
    fn backoff_is_capped_exponential_with_jitter_in_range() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(700))
            .jitter(Jitter::None);
        let waits: Vec<u128> = (1..=5)
            .map(|attempt| policy.backoff(attempt, Duration::ZERO).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        let full = policy.jitter(Jitter::Full);
        let decorrelated = policy.jitter(Jitter::Decorrelated);
        let mut distinct = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let wait = full.backoff(3, Duration::ZERO);
            assert!(wait <= Duration::from_millis(400), "{wait:?}");
            distinct.insert(wait);
            let wait = decorrelated.backoff(3, Duration::from_millis(150));
            assert!(
                (Duration::from_millis(100)..=Duration::from_millis(450)).contains(&wait),
                "{wait:?}"
            );
        }
        assert!(distinct.len() > 50, "full jitter spreads the waits");
    }

    #[test]
    fn statuses_and_retry_after_decide_the_wait() {
        let policy = RetryPolicy::default().jitter(Jitter::None);
        let mut headers = reqwest::header::HeaderMap::new();
        let zero = Duration::ZERO;
        for status in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(
                policy.after_response(1, zero, status, &headers),
                Some(Duration::from_millis(200))
            );
            assert_eq!(
                policy.after_response(3, zero, status, &headers),
                None,
                "attempts used up"
            );
        }
        for status in [200, 400, 401, 404, 500, 501] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(policy.after_response(1, zero, status, &headers), None);
        }
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(
            policy.after_response(1, zero, StatusCode::SERVICE_UNAVAILABLE, &headers),
            Some(Duration::from_secs(2))
        );
        headers.insert(RETRY_AFTER, "31".parse().unwrap());
        assert_eq!(
            policy.after_response(1, zero, StatusCode::TOO_MANY_REQUESTS, &headers),
            None,
            "a wait over max_retry_after is the caller's decision"
        );
    }
}

/// Generated `Retry-After` values (seeded, reproducible): no value panics (debug build: overflow checks on),
/// and no wait the policy returns exceeds `max_retry_after`.
#[cfg(test)]
mod generated_retry_after {
    use super::*;

    const MONTHS: [&str; 13] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo",
    ];

    /// A number in one of several magnitudes, up to far beyond `u64`.
    fn number(rng: &mut fastrand::Rng) -> String {
        match rng.u8(0..6) {
            0 => rng.u8(0..100).to_string(),
            1 => rng.u32(..).to_string(),
            2 => rng.u64(..).to_string(),
            3 => format!("{}{}", rng.u64(..), rng.u64(..)),
            4 => "9".repeat(rng.usize(1..60)),
            _ => format!("-{}", rng.u32(..)),
        }
    }

    fn value(rng: &mut fastrand::Rng) -> String {
        let day = number(rng);
        let month = MONTHS[rng.usize(..MONTHS.len())];
        let year = number(rng);
        let time = format!("{}:{}:{}", number(rng), number(rng), number(rng));
        match rng.u8(0..8) {
            0 => number(rng),
            1 => format!("Sun, {day} {month} {year} {time} GMT"),
            2 => format!("Sunday, {day}-{month}-{year} {time} GMT"),
            3 => format!("Sun {month} {day} {time} {year}"),
            // Plausible dates, some far in the future.
            4 => format!(
                "Sun, {:02} {month} {} {:02}:{:02}:{:02} GMT",
                rng.u8(1..=31),
                rng.u64(1970..=u64::MAX / 2),
                rng.u8(0..24),
                rng.u8(0..60),
                rng.u8(0..61)
            ),
            5 => (0..rng.usize(0..40))
                .map(|_| rng.char(..))
                .collect::<String>(),
            6 => (0..rng.usize(0..40))
                .map(|_| char::from(rng.u8(0x20..0x7f)))
                .collect::<String>(),
            _ => format!(" {} ", number(rng)),
        }
    }

    #[test]
    fn no_retry_after_value_panics_or_exceeds_the_cap() {
        let seed = std::env::var("SDK_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_0013);
        let mut rng = fastrand::Rng::with_seed(seed);
        let cap = Duration::from_secs(30);
        let policy = RetryPolicy::default().max_retry_after(cap);
        let mut fixed = vec![
            "Sun, 06 Nov 999999999999 08:49:37 GMT".to_string(),
            "Sun, 06 Nov 99999999999999999 08:49:37 GMT".to_string(),
            "Sunday, 06-Nov-99999999999999999 08:49:37 GMT".to_string(),
            "Sun Nov  6 08:49:37 99999999999999999".to_string(),
            "Sun, 06 Nov 18446744073709551615 23:59:60 GMT".to_string(),
            "99999999999999999999999999".to_string(),
        ];
        let cases = 20_000;
        fixed.extend((0..cases).map(|_| value(&mut rng)));
        let mut waited = 0;
        for text in &fixed {
            let now = SystemTime::now();
            // The parser alone, at a few "now"s (the epoch, today, the far future).
            for now in [
                UNIX_EPOCH,
                now,
                UNIX_EPOCH + Duration::from_secs(u64::MAX / 4),
            ] {
                let _ = parse_retry_after(text, now);
            }
            let Ok(header) = reqwest::header::HeaderValue::from_str(text) else {
                continue;
            };
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(RETRY_AFTER, header);
            let wait =
                policy.after_response(1, Duration::ZERO, StatusCode::SERVICE_UNAVAILABLE, &headers);
            if let Some(wait) = wait {
                waited += 1;
                assert!(
                    wait <= cap.max(policy.max_delay),
                    "{text:?} (seed {seed}): waits {wait:?}"
                );
            }
        }
        println!(
            "retry-after: {} generated values (seed {seed}), {waited} waited for",
            fixed.len()
        );
    }
}
