//! The asynchronous operations, waited for: account creation (create, then poll the activation status) and
//! the profile change (repeat the call while it answers 202).

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::codes::{ActivationCode, CreateAccountCode};
use crate::{Client, Error, types};

/// How long to wait for an asynchronous operation: at most `max_attempts` calls and `max_elapsed` in all,
/// waiting `initial_delay` after the first call and twice as long after each further one, up to
/// `max_delay`. A throttled call (`429`) counts as an attempt and is retried after the same delay.
///
/// `max_elapsed` is a bound on the wait, not a hint: each call gets at most the time left (a call still
/// under way then is abandoned, e.g. one whose client is waiting out a `Retry-After`), and no delay is
/// started that would end past it. The wait then ends with a `TimedOut` error naming the bound and keeping
/// the last answer seen. [`Client::create_account_and_wait`]'s creation call is not counted: it is a `POST`
/// that must not be abandoned halfway; the client's own timeouts bound it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    pub max_attempts: u32,
    pub max_elapsed: Duration,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for PollPolicy {
    /// 30 attempts within 10 minutes, 2 s after the first and doubling up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: 30,
            max_elapsed: Duration::from_secs(600),
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl PollPolicy {
    /// At most `max_attempts` calls within `max_elapsed`, with the default delays.
    pub fn new(max_attempts: u32, max_elapsed: Duration) -> Self {
        Self {
            max_attempts,
            max_elapsed,
            ..Self::default()
        }
    }

    /// The delay after the first call, doubled after each further one up to `max_delay`.
    pub fn delays(mut self, initial_delay: Duration, max_delay: Duration) -> Self {
        self.initial_delay = initial_delay;
        self.max_delay = max_delay;
        self
    }
}

/// Which bound of a [`PollPolicy`] ended a wait, with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PollBound {
    /// `max_attempts` calls were made (at least one is).
    MaxAttempts(u32),
    /// `max_elapsed` was reached, or the next delay would have passed it.
    MaxElapsed(Duration),
}

impl fmt::Display for PollBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MaxAttempts(n) => write!(f, "max_attempts ({n})"),
            Self::MaxElapsed(d) => write!(f, "max_elapsed ({:.1} s)", d.as_secs_f64()),
        }
    }
}

/// The last answer a wait saw before reaching its bound.
pub enum LastAnswer<E> {
    /// "In progress": an activation status with code 1 (and its description), a profile change's `202`.
    InProgress(Option<String>),
    /// Throttled: the `429` error (after the client's own retries).
    Throttled(Error<E>),
}

impl<E> fmt::Display for LastAnswer<E>
where
    Error<E>: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InProgress(None) => f.write_str("in progress"),
            Self::InProgress(Some(description)) => write!(f, "in progress ({description})"),
            Self::Throttled(error) => write!(f, "throttled: {error}"),
        }
    }
}

impl<E> fmt::Debug for LastAnswer<E>
where
    Error<E>: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What one poll found.
enum Step<T, E, W> {
    Done(T),
    Again(LastAnswer<W>),
    Stop(E),
}

/// Gave up: a bound of the policy was reached.
struct Exhausted<W> {
    attempts: u32,
    elapsed: Duration,
    bound: PollBound,
    cut_short: bool,
    last: Option<LastAnswer<W>>,
}

async fn poll<T, E, W, F, Fut>(
    policy: &PollPolicy,
    mut call: F,
) -> Result<Result<T, E>, Exhausted<W>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Step<T, E, W>>,
{
    let started = Instant::now();
    let max_attempts = policy.max_attempts.max(1);
    let elapsed_bound = PollBound::MaxElapsed(policy.max_elapsed);
    let mut delay = policy.initial_delay;
    let mut attempts = 0;
    let mut last = None;
    let (bound, cut_short) = loop {
        attempts += 1;
        // Each call gets the time left at most.
        let left = policy.max_elapsed.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, call()).await {
            Ok(Step::Done(value)) => return Ok(Ok(value)),
            Ok(Step::Stop(error)) => return Ok(Err(error)),
            Ok(Step::Again(answer)) => last = Some(answer),
            Err(_) => break (elapsed_bound, true),
        }
        if attempts >= max_attempts {
            break (PollBound::MaxAttempts(max_attempts), false);
        }
        // No delay that would end past the bound.
        if started.elapsed().saturating_add(delay) >= policy.max_elapsed {
            break (elapsed_bound, false);
        }
        tokio::time::sleep(delay).await;
        delay = delay
            .saturating_mul(2)
            .min(policy.max_delay.max(policy.initial_delay));
    };
    Err(Exhausted {
        attempts,
        elapsed: started.elapsed(),
        bound,
        cut_short,
        last,
    })
}

/// `"3 status checks in 5.0 s (the last one cut short); last answer: in progress (Processing)"`.
fn describe_wait<W>(
    f: &mut fmt::Formatter<'_>,
    checks: &str,
    attempts: u32,
    elapsed: Duration,
    cut_short: bool,
    last: &Option<LastAnswer<W>>,
) -> fmt::Result
where
    Error<W>: fmt::Display,
{
    write!(f, "{attempts} {checks} in {:.1} s", elapsed.as_secs_f64())?;
    if cut_short {
        f.write_str(" (the last one cut short, no answer)")?;
    }
    match last {
        Some(answer) => write!(f, "; last answer: {answer}"),
        None => f.write_str("; no answer"),
    }
}

/// An account created and activated by [`Client::create_account_and_wait`].
#[derive(Clone, Debug)]
pub struct CreatedAccount {
    /// The new account's id (the `id_Account` of the account operations; equals the ConsoleId).
    pub id_account: i64,
    /// The answer to the creation (activation id, control panel and tracking domains).
    pub activation: types::AccountActivation,
}

/// Why an account was not created. No variant shows a secret.
pub enum ActivationError {
    /// The creation was refused with a business code (a 403 `{Code, Description}`).
    Rejected {
        code: CreateAccountCode,
        description: Option<String>,
    },
    /// The activation ended in failure: code 2, 3, -1 or a code the document does not list.
    Failed {
        id_activation: i64,
        code: ActivationCode,
        description: Option<String>,
    },
    /// The activation was still in progress when a bound of the [`PollPolicy`] was reached.
    TimedOut {
        id_activation: i64,
        /// Status checks made (a check cut short by `max_elapsed` included).
        attempts: u32,
        elapsed: Duration,
        /// Which bound ended the wait.
        bound: PollBound,
        /// The last check was under way when `max_elapsed` was reached: abandoned without an answer.
        cut_short: bool,
        /// The last answer seen (in progress, or throttled), if any check was answered.
        last: Option<LastAnswer<types::GetActivationStatusResponse>>,
    },
    /// MailUp's answer lacked what the flow needs (an `IdActivation`, or the `IdAccount` of a done activation).
    Unexpected(String),
    /// The creation call itself failed (transport, 400, 401, 429, an authorization 403, an undocumented status).
    Create(Error<types::CreateAccountResponse>),
    /// A status poll failed (transport, 400, 401, an authorization 403, an undocumented status).
    Status(Error<types::GetActivationStatusResponse>),
}

impl fmt::Display for ActivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected { code, description } => {
                write!(f, "MailUp refused to create the account: code {code}")?;
                description.iter().try_for_each(|d| write!(f, ": {d}"))
            }
            Self::Failed {
                id_activation,
                code,
                description,
            } => {
                write!(
                    f,
                    "MailUp account activation {id_activation} failed: code {code}"
                )?;
                description.iter().try_for_each(|d| write!(f, ": {d}"))
            }
            Self::TimedOut {
                id_activation,
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            } => {
                write!(
                    f,
                    "MailUp account activation {id_activation} still in progress when {bound} was reached: "
                )?;
                describe_wait(f, "status checks", *attempts, *elapsed, *cut_short, last)
            }
            Self::Unexpected(what) => write!(f, "unexpected MailUp answer: {what}"),
            Self::Create(error) => write!(f, "MailUp account creation failed: {error}"),
            Self::Status(error) => write!(f, "MailUp activation status check failed: {error}"),
        }
    }
}

impl fmt::Debug for ActivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ActivationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Create(error) => Some(error),
            Self::Status(error) => Some(error),
            _ => None,
        }
    }
}

/// Why a profile change did not complete. No variant shows a secret.
pub enum ProfileChangeError {
    /// MailUp answered 500: the change failed.
    Failed,
    /// The change was still in progress (202) when a bound of the [`PollPolicy`] was reached.
    TimedOut {
        /// Calls made (a call cut short by `max_elapsed` included).
        attempts: u32,
        elapsed: Duration,
        /// Which bound ended the wait.
        bound: PollBound,
        /// The last call was under way when `max_elapsed` was reached: abandoned without an answer.
        cut_short: bool,
        /// The last answer seen (in progress, or throttled), if any call was answered.
        last: Option<LastAnswer<Option<types::OAuthError>>>,
    },
    /// A call failed otherwise (transport, 400, 401, an undocumented status).
    Api(Error<Option<types::OAuthError>>),
}

impl fmt::Display for ProfileChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed => f.write_str("MailUp could not change the account's profile (HTTP 500)"),
            Self::TimedOut {
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            } => {
                write!(
                    f,
                    "MailUp profile change still in progress when {bound} was reached: "
                )?;
                describe_wait(f, "calls", *attempts, *elapsed, *cut_short, last)
            }
            Self::Api(error) => write!(f, "MailUp profile change call failed: {error}"),
        }
    }
}

impl fmt::Debug for ProfileChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ProfileChangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Api(error) => Some(error),
            _ => None,
        }
    }
}

fn throttled<E>(error: &Error<E>) -> bool {
    error.status().is_some_and(|s| s.as_u16() == 429)
}

impl Client {
    /// Creates an account ([`Client::create_account`]) and waits for its activation
    /// ([`Client::wait_for_activation`]); returns the new account's id.
    ///
    /// ```no_run
    /// # async fn run(client: sdk_mailup::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use sdk_mailup::{ActivationError, PollPolicy, types::AccountActivationRequest};
    /// let request = AccountActivationRequest::builder()
    ///     .ip_address("192.168.0.1")
    ///     .email("service@retailer.it")
    ///     .custom_domain("power-email-marketing.it")
    ///     .custom_subdomain("customer123")
    ///     .service_name("Power email marketing")
    ///     .service_url("www.power-email-marketing.it/info")
    ///     .service_logout_url("www.power-email-marketing.it")
    ///     .try_into()?;
    /// match client.create_account_and_wait(1046, "en", request, &PollPolicy::default()).await {
    ///     Ok(created) => println!("account {}", created.id_account),
    ///     Err(ActivationError::Failed { code, description, .. }) => println!("failed: {code} {description:?}"),
    ///     Err(other) => return Err(other.into()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_account_and_wait(
        &self,
        id_profile: i64,
        lang: &str,
        request: types::AccountActivationRequest,
        policy: &PollPolicy,
    ) -> Result<CreatedAccount, ActivationError> {
        let activation = match self
            .create_account()
            .id_profile(id_profile)
            .lang(lang)
            .body(request)
            .send()
            .await
        {
            Ok(answer) => answer.into_inner(),
            Err(Error::ErrorResponse(answer)) if answer.result_code().is_some() => {
                let code = answer.result_code().unwrap_or(CreateAccountCode::Other(0));
                let description = answer.description().map(str::to_string);
                return Err(ActivationError::Rejected { code, description });
            }
            Err(error) => return Err(ActivationError::Create(error)),
        };
        if activation.result_code() != CreateAccountCode::Ok {
            return Err(ActivationError::Rejected {
                code: activation.result_code(),
                description: activation.description,
            });
        }
        let id_activation = activation.id_activation.ok_or_else(|| {
            ActivationError::Unexpected("the account creation answer has no IdActivation".into())
        })?;
        let id_account = self.wait_for_activation(id_activation, policy).await?;
        Ok(CreatedAccount {
            id_account,
            activation,
        })
    }

    /// Polls [`Client::get_activation_status`] until the activation is done (returns the new account's
    /// `IdAccount`) or failed, within `policy`. The body's `Code` decides: 0 done, 1 in progress, any other
    /// code (2, 3, -1 or one the document does not list) failed.
    pub async fn wait_for_activation(
        &self,
        id_activation: i64,
        policy: &PollPolicy,
    ) -> Result<i64, ActivationError> {
        let outcome = poll(policy, || async {
            let (code, description, id_account) =
                match self.get_activation_status().id_activation(id_activation).send().await {
                    Ok(status) => (status.result_code(), status.description.clone(), status.id_account),
                    Err(Error::ErrorResponse(answer)) if answer.result_code().is_some() => {
                        let code = answer.result_code().unwrap_or(ActivationCode::Other(0));
                        (code, answer.description().map(str::to_string), None)
                    }
                    Err(error) if throttled(&error) => {
                        return Step::Again(LastAnswer::Throttled(error));
                    }
                    Err(error) => return Step::Stop(ActivationError::Status(error)),
                };
            match code {
                ActivationCode::Processing => Step::Again(LastAnswer::InProgress(description)),
                ActivationCode::Ok => match id_account.filter(|id| *id != 0) {
                    Some(id) => Step::Done(id),
                    None => Step::Stop(ActivationError::Unexpected(format!(
                        "activation {id_activation} is done (code 0) but the answer has no IdAccount"
                    ))),
                },
                code => Step::Stop(ActivationError::Failed { id_activation, code, description }),
            }
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(Exhausted {
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            }) => Err(ActivationError::TimedOut {
                id_activation,
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            }),
        }
    }

    /// Calls [`Client::change_account_profile`] until the change is done (200) or failed (500), within
    /// `policy`; a 202 (in progress) means "call again".
    pub async fn change_account_profile_and_wait(
        &self,
        id_account: i64,
        id_profile: i64,
        policy: &PollPolicy,
    ) -> Result<(), ProfileChangeError> {
        let outcome = poll(policy, || async {
            match self
                .change_account_profile()
                .id_account(id_account)
                .id_profile(id_profile)
                .send()
                .await
            {
                Ok(answer) if answer.status().as_u16() == 202 => {
                    Step::Again(LastAnswer::InProgress(None))
                }
                Ok(_) => Step::Done(()),
                Err(error) if error.status().is_some_and(|s| s.as_u16() == 500) => {
                    Step::Stop(ProfileChangeError::Failed)
                }
                Err(error) if throttled(&error) => Step::Again(LastAnswer::Throttled(error)),
                Err(error) => Step::Stop(ProfileChangeError::Api(error)),
            }
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(Exhausted {
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            }) => Err(ProfileChangeError::TimedOut {
                attempts,
                elapsed,
                bound,
                cut_short,
                last,
            }),
        }
    }
}
