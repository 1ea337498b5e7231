//! Typed operation errors, mapped to IPP status codes in one place.

use quire_ipp::StatusCode;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum IppError {
    BadRequest(String),
    VersionNotSupported((u8, u8)),
    OperationNotSupported(u16),
    CharsetNotSupported(String),
    NotFound(String),
    Gone(String),
    NotPossible(String),
    Forbidden(String),
    NotAuthenticated,
    NotAuthorized(String),
    /// Attributes or values not supported; the offending attributes go in the unsupported group.
    Unsupported {
        message: String,
        attributes: Vec<quire_ipp::Attribute>,
    },
    Conflicting(String),
    DocumentFormatNotSupported(String),
    /// The document is not what its format says (a corrupt or empty PDF).
    DocumentFormatError(String),
    CompressionNotSupported(String),
    NotAcceptingJobs(String),
    NotSettable(String, Vec<quire_ipp::Attribute>),
    TooLarge(String),
    /// Print-URI/Send-URI: `document-uri`'s scheme is not one the server fetches.
    UriSchemeNotSupported(String),
    /// Print-URI/Send-URI: the server may not (or cannot) fetch `document-uri`.
    DocumentAccessError(String),
    Busy(String),
    TooManySubscriptions,
    IgnoredAllSubscriptions,
    MultipleDocumentJobsNotSupported,
    Internal(String),
}

impl IppError {
    pub fn status(&self) -> StatusCode {
        use IppError::*;
        use StatusCode as S;
        match self {
            BadRequest(_) => S::ClientErrorBadRequest,
            VersionNotSupported(_) => S::ServerErrorVersionNotSupported,
            OperationNotSupported(_) => S::ServerErrorOperationNotSupported,
            CharsetNotSupported(_) => S::ClientErrorCharsetNotSupported,
            NotFound(_) => S::ClientErrorNotFound,
            Gone(_) => S::ClientErrorGone,
            NotPossible(_) => S::ClientErrorNotPossible,
            Forbidden(_) => S::ClientErrorForbidden,
            NotAuthenticated => S::ClientErrorNotAuthenticated,
            NotAuthorized(_) => S::ClientErrorNotAuthorized,
            Unsupported { .. } => S::ClientErrorAttributesOrValuesNotSupported,
            Conflicting(_) => S::ClientErrorConflictingAttributes,
            DocumentFormatNotSupported(_) => S::ClientErrorDocumentFormatNotSupported,
            DocumentFormatError(_) => S::ClientErrorDocumentFormatError,
            CompressionNotSupported(_) => S::ClientErrorCompressionNotSupported,
            NotAcceptingJobs(_) => S::ServerErrorNotAcceptingJobs,
            NotSettable(..) => S::ClientErrorAttributesNotSettable,
            TooLarge(_) => S::ClientErrorRequestEntityTooLarge,
            UriSchemeNotSupported(_) => S::ClientErrorUriSchemeNotSupported,
            DocumentAccessError(_) => S::ClientErrorDocumentAccessError,
            Busy(_) => S::ServerErrorBusy,
            TooManySubscriptions => S::ClientErrorTooManySubscriptions,
            IgnoredAllSubscriptions => S::ClientErrorIgnoredAllSubscriptions,
            MultipleDocumentJobsNotSupported => S::ServerErrorMultipleDocumentJobsNotSupported,
            Internal(_) => S::ServerErrorInternalError,
        }
    }

    /// Attributes to return in the unsupported-attributes group.
    pub fn attributes(&self) -> &[quire_ipp::Attribute] {
        match self {
            IppError::Unsupported { attributes, .. } | IppError::NotSettable(_, attributes) => {
                attributes
            }
            _ => &[],
        }
    }

    pub fn unsupported(message: impl Into<String>, attr: quire_ipp::Attribute) -> Self {
        IppError::Unsupported { message: message.into(), attributes: vec![attr] }
    }

    /// No job `id`.
    pub fn job_not_found(id: i32) -> Self {
        IppError::NotFound(format!("Job #{id} does not exist."))
    }

    /// No printer or class of the name the request gave.
    pub fn printer_not_found() -> Self {
        IppError::NotFound("The printer or class does not exist.".into())
    }

    /// `who` may not act on job `id`: it is someone else's.
    pub fn not_owner(id: i32) -> Self {
        IppError::NotAuthorized(format!("You are not the owner of job #{id}."))
    }
}

impl fmt::Display for IppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use IppError::*;
        match self {
            BadRequest(m)
            | NotFound(m)
            | Gone(m)
            | NotPossible(m)
            | Forbidden(m)
            | NotAuthorized(m)
            | Conflicting(m)
            | NotAcceptingJobs(m)
            | NotSettable(m, _)
            | TooLarge(m)
            | Busy(m)
            | Internal(m)
            | DocumentFormatError(m)
            | UriSchemeNotSupported(m)
            | DocumentAccessError(m) => f.write_str(m),
            VersionNotSupported((a, b)) => write!(f, "Bad request version number {a}.{b}."),
            OperationNotSupported(op) => write!(f, "The operation {op:#06x} is not supported."),
            CharsetNotSupported(c) => write!(f, "Character set \"{c}\" not supported."),
            NotAuthenticated => f.write_str("Authentication is required."),
            Unsupported { message, .. } => f.write_str(message),
            DocumentFormatNotSupported(t) => write!(f, "Unsupported document-format \"{t}\"."),
            CompressionNotSupported(c) => write!(f, "Unsupported compression \"{c}\"."),
            TooManySubscriptions => f.write_str("Too many subscriptions."),
            IgnoredAllSubscriptions => f.write_str("All subscriptions were ignored."),
            MultipleDocumentJobsNotSupported => {
                f.write_str("Multiple document jobs are not supported.")
            }
        }
    }
}

impl std::error::Error for IppError {}

pub type IppResult<T> = Result<T, IppError>;
