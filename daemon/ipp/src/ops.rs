//! Operation ids (IANA IPP registry, plus CUPS vendor operations) and status codes.

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $val:expr => $text:expr,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub fn from_u16(code: u16) -> Option<Self> {
                match code { $($val => Some($name::$variant),)* _ => None }
            }
            pub fn code(self) -> u16 {
                match self { $($name::$variant => $val,)* }
            }
            /// The IANA / CUPS name, e.g. "Get-Printer-Attributes" or "client-error-not-found".
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
            pub fn all() -> &'static [$name] {
                &[$($name::$variant,)*]
            }
        }
    };
}

code_enum!(
    /// IPP operations Quire knows by name.
    Operation {
    PrintJob = 0x0002 => "Print-Job",
    PrintUri = 0x0003 => "Print-URI",
    ValidateJob = 0x0004 => "Validate-Job",
    CreateJob = 0x0005 => "Create-Job",
    SendDocument = 0x0006 => "Send-Document",
    SendUri = 0x0007 => "Send-URI",
    CancelJob = 0x0008 => "Cancel-Job",
    GetJobAttributes = 0x0009 => "Get-Job-Attributes",
    GetJobs = 0x000A => "Get-Jobs",
    GetPrinterAttributes = 0x000B => "Get-Printer-Attributes",
    HoldJob = 0x000C => "Hold-Job",
    ReleaseJob = 0x000D => "Release-Job",
    RestartJob = 0x000E => "Restart-Job",
    PausePrinter = 0x0010 => "Pause-Printer",
    ResumePrinter = 0x0011 => "Resume-Printer",
    PurgeJobs = 0x0012 => "Purge-Jobs",
    SetPrinterAttributes = 0x0013 => "Set-Printer-Attributes",
    SetJobAttributes = 0x0014 => "Set-Job-Attributes",
    GetPrinterSupportedValues = 0x0015 => "Get-Printer-Supported-Values",
    CreatePrinterSubscriptions = 0x0016 => "Create-Printer-Subscriptions",
    CreateJobSubscriptions = 0x0017 => "Create-Job-Subscriptions",
    GetSubscriptionAttributes = 0x0018 => "Get-Subscription-Attributes",
    GetSubscriptions = 0x0019 => "Get-Subscriptions",
    RenewSubscription = 0x001A => "Renew-Subscription",
    CancelSubscription = 0x001B => "Cancel-Subscription",
    GetNotifications = 0x001C => "Get-Notifications",
    EnablePrinter = 0x0022 => "Enable-Printer",
    DisablePrinter = 0x0023 => "Disable-Printer",
    PausePrinterAfterCurrentJob = 0x0024 => "Pause-Printer-After-Current-Job",
    HoldNewJobs = 0x0025 => "Hold-New-Jobs",
    ReleaseHeldNewJobs = 0x0026 => "Release-Held-New-Jobs",
    RestartPrinter = 0x0029 => "Restart-Printer",
    ShutdownPrinter = 0x002A => "Shutdown-Printer",
    StartupPrinter = 0x002B => "Startup-Printer",
    ReprocessJob = 0x002C => "Reprocess-Job",
    CancelCurrentJob = 0x002D => "Cancel-Current-Job",
    SuspendCurrentJob = 0x002E => "Suspend-Current-Job",
    ResumeJob = 0x002F => "Resume-Job",
    PromoteJob = 0x0030 => "Promote-Job",
    ScheduleJobAfter = 0x0031 => "Schedule-Job-After",
    CancelDocument = 0x0033 => "Cancel-Document",
    SetDocumentAttributes = 0x0037 => "Set-Document-Attributes",
    CancelJobs = 0x0038 => "Cancel-Jobs",
    CancelMyJobs = 0x0039 => "Cancel-My-Jobs",
    ResubmitJob = 0x003A => "Resubmit-Job",
    CloseJob = 0x003B => "Close-Job",
    IdentifyPrinter = 0x003C => "Identify-Printer",
    GetDocumentAttributes = 0x0034 => "Get-Document-Attributes",
    GetDocuments = 0x0035 => "Get-Documents",
    CupsGetDefault = 0x4001 => "CUPS-Get-Default",
    CupsGetPrinters = 0x4002 => "CUPS-Get-Printers",
    CupsAddModifyPrinter = 0x4003 => "CUPS-Add-Modify-Printer",
    CupsDeletePrinter = 0x4004 => "CUPS-Delete-Printer",
    CupsGetClasses = 0x4005 => "CUPS-Get-Classes",
    CupsAddModifyClass = 0x4006 => "CUPS-Add-Modify-Class",
    CupsDeleteClass = 0x4007 => "CUPS-Delete-Class",
    CupsAcceptJobs = 0x4008 => "CUPS-Accept-Jobs",
    CupsRejectJobs = 0x4009 => "CUPS-Reject-Jobs",
    CupsSetDefault = 0x400A => "CUPS-Set-Default",
    CupsGetDevices = 0x400B => "CUPS-Get-Devices",
    CupsGetPpds = 0x400C => "CUPS-Get-PPDs",
    CupsMoveJob = 0x400D => "CUPS-Move-Job",
    CupsAuthenticateJob = 0x400E => "CUPS-Authenticate-Job",
    CupsGetPpd = 0x400F => "CUPS-Get-PPD",
    CupsGetDocument = 0x4027 => "CUPS-Get-Document",
    CupsCreateLocalPrinter = 0x4028 => "CUPS-Create-Local-Printer",
    QuireReleaseMyJobs = 0x4100 => "Quire-Release-My-Jobs",
});

code_enum!(
    /// IPP status codes (RFC 8011 section 4.1.6 and PWG extensions).
    StatusCode {
    SuccessfulOk = 0x0000 => "successful-ok",
    SuccessfulOkIgnoredOrSubstitutedAttributes = 0x0001 => "successful-ok-ignored-or-substituted-attributes",
    SuccessfulOkConflictingAttributes = 0x0002 => "successful-ok-conflicting-attributes",
    SuccessfulOkIgnoredSubscriptions = 0x0003 => "successful-ok-ignored-subscriptions",
    SuccessfulOkTooManyEvents = 0x0005 => "successful-ok-too-many-events",
    SuccessfulOkEventsComplete = 0x0007 => "successful-ok-events-complete",
    ClientErrorBadRequest = 0x0400 => "client-error-bad-request",
    ClientErrorForbidden = 0x0401 => "client-error-forbidden",
    ClientErrorNotAuthenticated = 0x0402 => "client-error-not-authenticated",
    ClientErrorNotAuthorized = 0x0403 => "client-error-not-authorized",
    ClientErrorNotPossible = 0x0404 => "client-error-not-possible",
    ClientErrorTimeout = 0x0405 => "client-error-timeout",
    ClientErrorNotFound = 0x0406 => "client-error-not-found",
    ClientErrorGone = 0x0407 => "client-error-gone",
    ClientErrorRequestEntityTooLarge = 0x0408 => "client-error-request-entity-too-large",
    ClientErrorRequestValueTooLong = 0x0409 => "client-error-request-value-too-long",
    ClientErrorDocumentFormatNotSupported = 0x040A => "client-error-document-format-not-supported",
    ClientErrorAttributesOrValuesNotSupported = 0x040B => "client-error-attributes-or-values-not-supported",
    ClientErrorUriSchemeNotSupported = 0x040C => "client-error-uri-scheme-not-supported",
    ClientErrorCharsetNotSupported = 0x040D => "client-error-charset-not-supported",
    ClientErrorConflictingAttributes = 0x040E => "client-error-conflicting-attributes",
    ClientErrorCompressionNotSupported = 0x040F => "client-error-compression-not-supported",
    ClientErrorCompressionError = 0x0410 => "client-error-compression-error",
    ClientErrorDocumentFormatError = 0x0411 => "client-error-document-format-error",
    ClientErrorDocumentAccessError = 0x0412 => "client-error-document-access-error",
    ClientErrorAttributesNotSettable = 0x0413 => "client-error-attributes-not-settable",
    ClientErrorIgnoredAllSubscriptions = 0x0414 => "client-error-ignored-all-subscriptions",
    ClientErrorTooManySubscriptions = 0x0415 => "client-error-too-many-subscriptions",
    ClientErrorDocumentPasswordError = 0x0418 => "client-error-document-password-error",
    ClientErrorDocumentPermissionError = 0x0419 => "client-error-document-permission-error",
    ClientErrorDocumentSecurityError = 0x041A => "client-error-document-security-error",
    ClientErrorDocumentUnprintableError = 0x041B => "client-error-document-unprintable-error",
    ClientErrorAccountInfoNeeded = 0x041C => "client-error-account-info-needed",
    ServerErrorInternalError = 0x0500 => "server-error-internal-error",
    ServerErrorOperationNotSupported = 0x0501 => "server-error-operation-not-supported",
    ServerErrorServiceUnavailable = 0x0502 => "server-error-service-unavailable",
    ServerErrorVersionNotSupported = 0x0503 => "server-error-version-not-supported",
    ServerErrorDeviceError = 0x0504 => "server-error-device-error",
    ServerErrorTemporaryError = 0x0505 => "server-error-temporary-error",
    ServerErrorNotAcceptingJobs = 0x0506 => "server-error-not-accepting-jobs",
    ServerErrorBusy = 0x0507 => "server-error-busy",
    ServerErrorJobCanceled = 0x0508 => "server-error-job-canceled",
    ServerErrorMultipleDocumentJobsNotSupported = 0x0509 => "server-error-multiple-document-jobs-not-supported",
});

impl StatusCode {
    pub fn is_success(self) -> bool {
        self.code() < 0x0100
    }
}
