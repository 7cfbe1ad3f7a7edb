//! Setting a mailbox's secret answers without sending what the service refuses.

use std::fmt;

use crate::{Client, Error, ResponseValue, types};

/// The shortest answer the service accepts ("The answer in plain-text - must be at least two characters").
pub const MIN_SECRET_ANSWER_CHARS: usize = 2;

/// Why [`Client::set_mailbox_secrets_checked`] did not set the answers. Never shows an answer.
#[derive(Debug)]
pub enum SecretAnswersError {
    /// Fewer pairs than the franchise's minimum (`GET /email/secretQuestionSettings`); nothing was sent.
    TooFew { given: usize, minimum: u64 },
    /// The answer to the question `key` is shorter than [`MIN_SECRET_ANSWER_CHARS`]; nothing was sent.
    TooShort { key: String },
    /// Reading the franchise's settings failed; nothing was sent.
    Settings(Box<Error<()>>),
    /// The service answered the update with an error.
    Update(Box<Error<Option<types::ErrorResponse>>>),
}

impl fmt::Display for SecretAnswersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFew { given, minimum } => write!(
                f,
                "{given} secret answer(s) given, the franchise requires at least {minimum}: nothing was sent"
            ),
            Self::TooShort { key } => write!(
                f,
                "the answer to secret question `{key}` is shorter than {MIN_SECRET_ANSWER_CHARS} characters: \
                 nothing was sent"
            ),
            Self::Settings(e) => write!(f, "cannot read the secret question settings: {e}"),
            Self::Update(e) => write!(f, "setting the secret answers failed: {e}"),
        }
    }
}

impl std::error::Error for SecretAnswersError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Settings(e) => Some(e.as_ref()),
            Self::Update(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl Client {
    /// [`Client::update_mailbox_secrets`], checked first against what the service refuses with a `400`: at
    /// least the franchise's minimum number of question/answer pairs (read with
    /// [`Client::get_secret_question_settings`]; the document's examples show franchises with 1 and with 3),
    /// and answers of at least [`MIN_SECRET_ANSWER_CHARS`] characters. When a check fails, the update is not
    /// sent.
    pub async fn set_mailbox_secrets_checked(
        &self,
        account: &str,
        domain: &str,
        mailbox_name: &str,
        answers: types::SecretAnswers,
    ) -> Result<ResponseValue<()>, SecretAnswersError> {
        if let Some((key, _)) = answers
            .iter()
            .find(|(_, answer)| answer.expose().chars().count() < MIN_SECRET_ANSWER_CHARS)
        {
            return Err(SecretAnswersError::TooShort { key: key.clone() });
        }
        let settings = self
            .get_secret_question_settings()
            .send()
            .await
            .map_err(|e| SecretAnswersError::Settings(Box::new(e)))?;
        // The settings' `minimum` is at least one; a franchise that does not say still needs one answer.
        let minimum = settings.minimum.map_or(1, |m| m.get());
        if (answers.len() as u64) < minimum {
            return Err(SecretAnswersError::TooFew {
                given: answers.len(),
                minimum,
            });
        }
        self.update_mailbox_secrets()
            .account(account)
            .domain(domain)
            .mailbox_name(mailbox_name)
            .body(answers)
            .send()
            .await
            .map_err(|e| SecretAnswersError::Update(Box::new(e)))
    }
}
