//! Reading credentials from environment variables: each SDK's `Credentials::from_env()` names its
//! variables, and an error names the variable that is missing or unusable, never its value.

use std::ffi::OsString;
use std::fmt;

use crate::Secret;

/// Looks a variable up: [`process`] (the process's environment) in the SDKs, a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// The process's environment, as a [`Lookup`].
pub fn process(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// Why credentials could not be read from the environment. Its `Display` and `Debug` name the variable
/// and the problem, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    variable: &'static str,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Missing,
    Empty,
    NotUnicode,
    Invalid(&'static str),
}

impl EnvError {
    /// `variable` is set but its value is unusable: `expected` says what it should be (e.g. "a number").
    pub fn invalid(variable: &'static str, expected: &'static str) -> Self {
        Self {
            variable,
            problem: Problem::Invalid(expected),
        }
    }

    /// The name of the variable at fault.
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// Whether the variable is not set at all.
    pub fn is_missing(&self) -> bool {
        self.problem == Problem::Missing
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variable = self.variable;
        match self.problem {
            Problem::Missing => write!(f, "the environment variable {variable} is not set"),
            Problem::Empty => write!(f, "the environment variable {variable} is empty"),
            Problem::NotUnicode => {
                write!(
                    f,
                    "the environment variable {variable} is not valid Unicode"
                )
            }
            Problem::Invalid(expected) => {
                write!(f, "the environment variable {variable} is not {expected}")
            }
        }
    }
}

impl std::error::Error for EnvError {}

/// The value of `variable`: set, not empty, valid Unicode.
pub fn required(lookup: Lookup<'_>, variable: &'static str) -> Result<String, EnvError> {
    let error = |problem| EnvError { variable, problem };
    let value = lookup(variable).ok_or(error(Problem::Missing))?;
    let value = value
        .into_string()
        .map_err(|_| error(Problem::NotUnicode))?;
    if value.is_empty() {
        return Err(error(Problem::Empty));
    }
    Ok(value)
}

/// [`required`], held as a [`Secret`] from the start.
pub fn secret(lookup: Lookup<'_>, variable: &'static str) -> Result<Secret, EnvError> {
    required(lookup, variable).map(Secret::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<OsString> {
        match name {
            "SET" => Some("S3NT1NEL-value".into()),
            "EMPTY" => Some(OsString::new()),
            #[cfg(unix)]
            "NOT_UNICODE" => {
                use std::os::unix::ffi::OsStringExt;
                Some(OsString::from_vec(vec![b'S', 0xff, b'x']))
            }
            _ => None,
        }
    }

    #[test]
    fn errors_name_the_variable_and_never_show_a_value() {
        assert_eq!(required(&lookup, "SET").unwrap(), "S3NT1NEL-value");
        assert_eq!(
            format!("{:?}", secret(&lookup, "SET").unwrap()),
            "Secret(<redacted>)"
        );
        let missing = required(&lookup, "ABSENT").unwrap_err();
        assert!(missing.is_missing());
        assert_eq!(missing.variable(), "ABSENT");
        assert_eq!(
            missing.to_string(),
            "the environment variable ABSENT is not set"
        );
        assert_eq!(
            required(&lookup, "EMPTY").unwrap_err().to_string(),
            "the environment variable EMPTY is empty"
        );
        #[cfg(unix)]
        assert_eq!(
            required(&lookup, "NOT_UNICODE").unwrap_err().to_string(),
            "the environment variable NOT_UNICODE is not valid Unicode"
        );
        let invalid = EnvError::invalid("SET", "a number");
        assert!(!format!("{invalid} {invalid:?}").contains("S3NT1NEL"));
    }
}
