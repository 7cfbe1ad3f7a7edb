//! The two-step public flows: get a captcha question (`new_client` / `new_reseller`), then post with its id
//! and the answer (`create_client` / `create_reseller`). A wrong answer is a 422 that carries a new captcha,
//! which the next try must use; [`Client::create_client_with_captcha`] and
//! [`Client::create_reseller_with_captcha`] do that loop.

use std::fmt;
use std::future::Future;

use crate::{Client, Error, types};

/// Why a captcha flow did not create anything. No variant shows a credential.
pub enum CaptchaFlowError<E> {
    /// Getting the first captcha (`GET /v1/clients/new` or `GET /v1/resellers/new`) failed.
    Start(Error),
    /// The creation failed otherwise than by a wrong captcha answer alone: a 422 with errors about the
    /// client or reseller (typed body, with the captcha the next try must use), an undocumented status or a
    /// transport failure.
    Create(Error<E>),
    /// Each of the `tries` answers was refused; `last` is the last 422 body, whose captcha is the one to
    /// answer next.
    TooManyTries { tries: u32, last: E },
    /// The answering closure gave up (returned `None`) on this captcha.
    Declined { captcha: types::Captcha },
    /// `max_tries` is 0: no answer may be posted, so nothing was sent (not even the request for a captcha).
    NoTries,
}

impl<E: fmt::Debug + sdk_core::ErrorBody> fmt::Display for CaptchaFlowError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start(error) => write!(f, "cannot get a captcha from Greenview: {error}"),
            Self::Create(error) => write!(f, "Greenview refused the creation: {error}"),
            Self::TooManyTries { tries, .. } => {
                write!(f, "Greenview refused {tries} captcha answers in a row")
            }
            Self::Declined { captcha } => {
                write!(
                    f,
                    "no answer given to the captcha question {:?}",
                    captcha.question
                )
            }
            Self::NoTries => f.write_str(
                "max_tries is 0: no captcha answer may be posted, so nothing was sent to Greenview",
            ),
        }
    }
}

impl<E: fmt::Debug + sdk_core::ErrorBody> fmt::Debug for CaptchaFlowError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyTries { tries, last } => f
                .debug_struct("TooManyTries")
                .field("tries", tries)
                .field("last", last)
                .finish(),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl<E: fmt::Debug + sdk_core::ErrorBody + 'static> std::error::Error for CaptchaFlowError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Start(error) => Some(error),
            Self::Create(error) => Some(error),
            _ => None,
        }
    }
}

/// Whether a set of messages has at least one message.
fn has_messages(messages: Option<&types::ErrorMessages>) -> bool {
    messages.is_some_and(|m| m.values().any(|list| !list.is_empty()))
}

/// `package_uid: specific attribute error message; base: non specific error message` (attributes sorted).
impl fmt::Display for types::ErrorMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut attributes: Vec<_> = self.iter().filter(|(_, list)| !list.is_empty()).collect();
        attributes.sort_by(|a, b| a.0.cmp(b.0));
        for (i, (attribute, messages)) in attributes.into_iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{attribute}: {}", messages.join(", "))?;
        }
        Ok(())
    }
}

impl types::CreateClientError {
    /// The new captcha the next try must answer (public creation only).
    pub fn captcha(&self) -> Option<&types::Captcha> {
        match self {
            Self::CaptchaErrorResponse(body) => Some(&body.captcha),
            Self::ErrorResponse(_) => None,
        }
    }

    /// Whether the only problem was the captcha answer: trying again with [`Self::captcha`] may succeed.
    pub fn wrong_captcha_only(&self) -> bool {
        match self {
            Self::CaptchaErrorResponse(body) => {
                has_messages(body.errors.captcha.as_ref())
                    && !has_messages(body.errors.client.as_ref())
            }
            Self::ErrorResponse(_) => false,
        }
    }

    /// The messages about the client (attribute name -> messages), if any.
    pub fn client_errors(&self) -> Option<&types::ErrorMessages> {
        match self {
            Self::CaptchaErrorResponse(body) => body.errors.client.as_ref(),
            Self::ErrorResponse(body) => Some(&body.errors.client),
        }
    }
}

impl types::ResellerErrorResponse {
    /// Whether the only problem was the captcha answer: trying again with `self.captcha` may succeed.
    pub fn wrong_captcha_only(&self) -> bool {
        has_messages(self.errors.captcha.as_ref()) && !has_messages(self.errors.reseller.as_ref())
    }
}

impl Client {
    /// The public client creation, captcha included: gets a captcha (`new_client`), asks `answer` for the
    /// answer to its question, and posts the client with it (`create_client`). While the only error is the
    /// captcha answer, the 422's new captcha is asked to `answer` and the post retried, up to `max_tries`
    /// posts in all. `answer` returning `None` stops the flow. With `max_tries` 0 nothing is sent: the
    /// result is [`CaptchaFlowError::NoTries`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use sdk_greenview::{Client, Credentials, types::{ClientCreate, DomainInput}};
    /// let client = Client::builder(Credentials::public()).build()?;
    /// let new_client = ClientCreate::builder()
    ///     .package_uid("spamstopshere-standard")
    ///     .user_count(1)
    ///     .domains(vec![DomainInput::builder().name("customer-domain.test").try_into()?]);
    /// let created = client
    ///     .create_client_with_captcha(new_client.try_into()?, 3, |captcha| async move {
    ///         // Show captcha.question to a person and return their answer.
    ///         Some(format!("answer to {}", captcha.question))
    ///     })
    ///     .await?;
    /// println!("client {}", created.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_client_with_captcha<F, Fut>(
        &self,
        client: types::ClientCreate,
        max_tries: u32,
        answer: F,
    ) -> Result<types::Customer, CaptchaFlowError<types::CreateClientError>>
    where
        F: FnMut(types::Captcha) -> Fut,
        Fut: Future<Output = Option<String>>,
    {
        if max_tries == 0 {
            return Err(CaptchaFlowError::NoTries);
        }
        let first = self
            .new_client()
            .send()
            .await
            .map_err(CaptchaFlowError::Start)?;
        answer_until_accepted(first.into_inner().captcha, max_tries, answer, |captcha| {
            let request = self.create_client().body(types::ClientCreateRequest {
                client: client.clone(),
                captcha: Some(captcha),
            });
            async move { request.send().await }
        })
        .await
    }

    /// The reseller sign-up, captcha included: gets a captcha (`new_reseller`), asks `answer` for the answer
    /// to its question, and posts the reseller with it (`create_reseller`); like
    /// [`Client::create_client_with_captcha`], a 422 whose only error is the captcha answer is retried with
    /// its new captcha, up to `max_tries` posts (0: nothing is sent, [`CaptchaFlowError::NoTries`]). The
    /// document expects a person to answer.
    pub async fn create_reseller_with_captcha<F, Fut>(
        &self,
        reseller: types::ResellerSignUp,
        max_tries: u32,
        answer: F,
    ) -> Result<types::ResellerCreated, CaptchaFlowError<types::ResellerErrorResponse>>
    where
        F: FnMut(types::Captcha) -> Fut,
        Fut: Future<Output = Option<String>>,
    {
        if max_tries == 0 {
            return Err(CaptchaFlowError::NoTries);
        }
        let first = self
            .new_reseller()
            .send()
            .await
            .map_err(CaptchaFlowError::Start)?;
        answer_until_accepted(first.into_inner().captcha, max_tries, answer, |captcha| {
            let request = self.create_reseller().body(types::ResellerSignUpRequest {
                reseller: reseller.clone(),
                captcha,
            });
            async move { request.send().await }
        })
        .await
    }
}

/// A 422 body of a captcha flow: whether only the answer was wrong, and the captcha to answer next.
trait CaptchaRefusal {
    fn wrong_captcha_only(&self) -> bool;
    fn next_captcha(&self) -> Option<&types::Captcha>;
}

impl CaptchaRefusal for types::CreateClientError {
    fn wrong_captcha_only(&self) -> bool {
        types::CreateClientError::wrong_captcha_only(self)
    }
    fn next_captcha(&self) -> Option<&types::Captcha> {
        self.captcha()
    }
}

impl CaptchaRefusal for types::ResellerErrorResponse {
    fn wrong_captcha_only(&self) -> bool {
        types::ResellerErrorResponse::wrong_captcha_only(self)
    }
    fn next_captcha(&self) -> Option<&types::Captcha> {
        Some(&self.captcha)
    }
}

/// The loop both flows share: ask `answer` about the current captcha, `post` the answer, and while the
/// only error is a wrong answer, go on with the 422's new captcha, up to `max_tries` posts.
async fn answer_until_accepted<T, E, F, Fut, P, PostFut>(
    mut captcha: types::Captcha,
    max_tries: u32,
    mut answer: F,
    mut post: P,
) -> Result<T, CaptchaFlowError<E>>
where
    E: CaptchaRefusal,
    F: FnMut(types::Captcha) -> Fut,
    Fut: Future<Output = Option<String>>,
    P: FnMut(types::CaptchaAnswer) -> PostFut,
    PostFut: Future<Output = Result<crate::ResponseValue<T>, Error<E>>>,
{
    let mut tries = 0;
    loop {
        // The bound holds here whatever the callers checked: a post is sent only while tries remain.
        if tries >= max_tries {
            return Err(CaptchaFlowError::NoTries);
        }
        let Some(reply) = answer(captcha.clone()).await else {
            return Err(CaptchaFlowError::Declined { captcha });
        };
        tries += 1;
        let posted = post(types::CaptchaAnswer {
            id: Some(captcha.id.clone()),
            answer: reply,
        });
        match posted.await {
            Ok(created) => return Ok(created.into_inner()),
            Err(Error::ErrorResponse(refused)) if refused.wrong_captcha_only() => {
                let refused = refused.into_inner();
                if tries >= max_tries {
                    return Err(CaptchaFlowError::TooManyTries {
                        tries,
                        last: refused,
                    });
                }
                if let Some(next) = refused.next_captcha() {
                    captcha = next.clone();
                }
            }
            Err(error) => return Err(CaptchaFlowError::Create(error)),
        }
    }
}
