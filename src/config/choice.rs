//! Scheme choices: enums written as strings in the TOML files.
//!
//! `choice!` declares an enum whose variants are spelt in the files as fixed strings; it is
//! (de)serialised through those strings, so `config.toml` and the physics fingerprint read as
//! before. A string that is none of them fails deserialisation with a message that the
//! resolver ([`super::ResolvedConfig::resolve`]) turns into [`super::ConfigError::Invalid`]
//! naming the key, the value and the choices (`invalid_choice`).

/// Prefix of the deserialisation message of an unknown choice (see [`invalid_choice`]).
pub(crate) const CHOICE_MARK: &str = "unknown choice\u{1f}";

/// Splits a deserialisation message made by a [`choice!`] enum into the offending value and
/// the fix (the list of valid choices), or `None` for any other message.
pub(crate) fn invalid_choice(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix(CHOICE_MARK)?;
    let (value, fix) = rest.split_once('\u{1f}')?;
    Some((value.to_string(), fix.to_string()))
}

/// Declares a configuration choice: `choice!(/// docs
/// Name, "use \"a\" or \"b\"" { /// docs
/// A = "a", /// docs
/// B = "b" })`.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident, $fix:literal {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// How the choice is written in the configuration files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                match s.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!(
                        "{}\"{s}\"\u{1f}{}",
                        $crate::config::choice::CHOICE_MARK,
                        $fix
                    )),
                }
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use choice;

#[cfg(test)]
mod tests {
    use super::*;

    choice!(
        /// A test choice.
        Colour, "use \"red\" or \"blue\"" {
            /// Red.
            Red = "red",
            /// Blue.
            Blue = "blue",
        }
    );

    #[test]
    fn round_trips_and_names_the_choices() {
        assert_eq!(Colour::try_from("blue".to_string()), Ok(Colour::Blue));
        assert_eq!(String::from(Colour::Red), "red");
        let e = Colour::try_from("green".to_string()).unwrap_err();
        assert_eq!(
            invalid_choice(&e),
            Some(("\"green\"".into(), "use \"red\" or \"blue\"".into()))
        );
        assert_eq!(invalid_choice("invalid type: integer"), None);
    }
}
