//! Configuration errors: each names the key or file at fault and says how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong loading, merging or validating a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}; check the path (experiment files live in experiments/, model files in models/)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid TOML.
    #[error("{origin} is not valid TOML: {message}\nfix the syntax at the line shown")]
    Parse {
        /// The file or embedded model it came from.
        origin: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A key that no configuration section knows.
    #[error("unknown key `{key}` ({origin}): {hint}")]
    UnknownKey {
        /// Dotted key, e.g. `atmosphere.dtt`.
        key: String,
        /// Where it came from (file, `--set`, environment).
        origin: String,
        /// The keys that do exist there.
        hint: String,
    },
    /// A value of the wrong type, or a missing key, found by typed deserialisation.
    #[error("invalid configuration at `{key}` ({origin}): {message}; give a value of the type the model file uses there (models/t31.toml lists every key with its unit)")]
    Type {
        /// Dotted key path.
        key: String,
        /// Where the merged configuration came from.
        origin: String,
        /// What serde expected.
        message: String,
    },
    /// A value that parses but is physically or numerically impossible.
    #[error("invalid value for `{key}` = {value}: {reason}; {fix}")]
    Invalid {
        /// Dotted key.
        key: String,
        /// The offending value.
        value: String,
        /// What is wrong.
        reason: String,
        /// How to fix it.
        fix: String,
    },
    /// A resolution with no model file.
    #[error("unknown resolution `{value}` (from {origin}): known resolutions are {known}; set {origin} to one of them, or point CHRONOS_MODEL_DIR at a folder holding <name>.toml")]
    UnknownResolution {
        /// What was asked for, e.g. `T32`.
        value: String,
        /// Where it was asked (`CHRONOS_RESOLUTION`, `--set model.resolution`, an experiment file).
        origin: String,
        /// The resolutions that exist.
        known: String,
    },
    /// A malformed `--set` argument.
    #[error("malformed --set `{arg}`: expected key=value, e.g. --set atmosphere.dt=900")]
    SetSyntax {
        /// The argument as given.
        arg: String,
    },
}
