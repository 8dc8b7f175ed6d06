//! Typed input errors: what is wrong with a topology file, where, and how to fix it.
//!
//! Owns: [`InputError`] (one defect, with a stable code), [`LoadError`] (all defects of one
//! file, as a `miette` diagnostic with the file's text, so the report at the top shows file,
//! line, column, a label and the help). Must never: print, or exit.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::raw::Pos;

/// Stable error codes (they appear in messages; scripts may match on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Io,
    Yaml,
    Empty,
    Version,
    MissingKey,
    UnknownId,
    WrongKind,
    DuplicateId,
    BadCidr,
    BadIp,
    IpOutsideSubnet,
    SubnetOutsideNetwork,
    OverlappingSubnets,
    OverlappingPeers,
    SecurityGroupDeny,
    DuplicatePriority,
    BadPriority,
    BadPort,
    BadProtocol,
    BadValue,
    TooLarge,
    UnknownRole,
    IdLooksLikeSelector,
    /// A firewall rule's `type:` is not network, application or dnat, or is on another kind.
    BadRuleType,
    /// A rule set's `default:` is not allow or deny, or is on a kind that has a fixed default.
    BadDefault,
    /// A network ACL's `ephemeral:` is not a port range, or is on another kind.
    BadEphemeral,
    /// A `name:` or `cloud_id:` used as a reference names more than one thing.
    AmbiguousName,
    /// Members of one application security group in different networks (Azure forbids it).
    AsgAcrossNetworks,
    /// A route's `next_hop` (or a transit gateway's `attachment`) that cannot carry the route.
    BadNextHop,
    /// A `base:` that names no export, or more than one (SPEC §12).
    BadBase,
    /// A `translated_address:` / `translated_port:` on a rule that is not a firewall DNAT rule,
    /// or naming nothing the flow can be sent to.
    BadTranslation,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "zonescope::io",
            ErrorCode::Yaml => "zonescope::yaml",
            ErrorCode::Empty => "zonescope::empty-file",
            ErrorCode::Version => "zonescope::version",
            ErrorCode::MissingKey => "zonescope::missing-key",
            ErrorCode::UnknownId => "zonescope::unknown-id",
            ErrorCode::WrongKind => "zonescope::wrong-kind",
            ErrorCode::DuplicateId => "zonescope::duplicate-id",
            ErrorCode::BadCidr => "zonescope::bad-cidr",
            ErrorCode::BadIp => "zonescope::bad-ip",
            ErrorCode::IpOutsideSubnet => "zonescope::ip-outside-subnet",
            ErrorCode::SubnetOutsideNetwork => "zonescope::subnet-outside-network",
            ErrorCode::OverlappingSubnets => "zonescope::overlapping-subnets",
            ErrorCode::OverlappingPeers => "zonescope::overlapping-peers",
            ErrorCode::SecurityGroupDeny => "zonescope::security-group-deny",
            ErrorCode::DuplicatePriority => "zonescope::duplicate-priority",
            ErrorCode::BadPriority => "zonescope::bad-priority",
            ErrorCode::BadPort => "zonescope::bad-port",
            ErrorCode::BadProtocol => "zonescope::bad-protocol",
            ErrorCode::BadValue => "zonescope::bad-value",
            ErrorCode::TooLarge => "zonescope::too-large",
            ErrorCode::UnknownRole => "zonescope::unknown-role",
            ErrorCode::IdLooksLikeSelector => "zonescope::id-looks-like-selector",
            ErrorCode::BadRuleType => "zonescope::bad-rule-type",
            ErrorCode::BadDefault => "zonescope::bad-default",
            ErrorCode::BadEphemeral => "zonescope::bad-ephemeral",
            ErrorCode::AmbiguousName => "zonescope::ambiguous-name",
            ErrorCode::AsgAcrossNetworks => "zonescope::asg-across-networks",
            ErrorCode::BadNextHop => "zonescope::bad-next-hop",
            ErrorCode::BadBase => "zonescope::bad-base",
            ErrorCode::BadTranslation => "zonescope::bad-translation",
        }
    }
}

/// One defect of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub code: ErrorCode,
    pub message: String,
    pub help: String,
    pub at: Pos,
    /// A short label under the span ("unknown id").
    pub label: String,
}

impl InputError {
    pub fn new(
        code: ErrorCode,
        at: Pos,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let label = match code {
            ErrorCode::UnknownId => "unknown id",
            ErrorCode::DuplicateId => "defined again here",
            ErrorCode::BadCidr => "not a CIDR",
            ErrorCode::BadIp => "not an address",
            ErrorCode::IpOutsideSubnet => "outside its subnet",
            ErrorCode::SubnetOutsideNetwork => "outside its network",
            ErrorCode::OverlappingSubnets => "overlaps",
            ErrorCode::OverlappingPeers => "overlapping peers",
            ErrorCode::SecurityGroupDeny => "deny in a security group",
            ErrorCode::DuplicatePriority => "priority used twice",
            ErrorCode::BadPort => "bad port",
            ErrorCode::BadProtocol => "bad protocol",
            ErrorCode::WrongKind => "wrong kind of id",
            ErrorCode::MissingKey => "missing key",
            ErrorCode::UnknownRole => "unknown role",
            ErrorCode::IdLooksLikeSelector => "reads as a selector",
            ErrorCode::BadRuleType => "bad rule type",
            ErrorCode::BadDefault => "bad default",
            ErrorCode::BadEphemeral => "bad ephemeral range",
            ErrorCode::AmbiguousName => "names more than one thing",
            ErrorCode::AsgAcrossNetworks => "in another network",
            ErrorCode::BadNextHop => "bad next hop",
            ErrorCode::BadBase => "bad base",
            ErrorCode::BadTranslation => "bad translation",
            _ => "here",
        };
        InputError {
            code,
            message: message.into(),
            help: help.into(),
            at,
            label: label.to_string(),
        }
    }
}

/// Every defect found in one file, with the file's name and text for the report.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub file: String,
    pub text: Arc<str>,
    pub errors: Vec<InputError>,
}

impl LoadError {
    pub fn single(file: &str, text: Arc<str>, e: InputError) -> Self {
        LoadError {
            file: file.to_string(),
            text,
            errors: vec![e],
        }
    }

    /// The first defect (the one the report leads with).
    pub fn first(&self) -> &InputError {
        &self.errors[0]
    }

    /// `file:line:column: message` for each defect, plus the help: the plain, stable form (for
    /// logs, tests and `--format json`).
    #[allow(clippy::format_push_string)] // one report built in place
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for e in &self.errors {
            let _ = write!(
                out,
                "{}:{}:{}: error[{}]: {}\n  help: {}\n",
                crate::text_safe::escape(&self.file),
                e.at.line.max(1),
                e.at.column.max(1),
                e.code.as_str(),
                crate::text_safe::escape(&e.message),
                crate::text_safe::escape(&e.help)
            );
        }
        out
    }

    /// The report a person reads: each defect with its line of the file, a label under the
    /// span, and the help (at most `max` defects). Colour only when asked.
    pub fn render(&self, color: bool, max: usize) -> String {
        use miette::{GraphicalReportHandler, GraphicalTheme};
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(120);
        let mut out = String::new();
        // Only the defects shown are turned into diagnostics, all sharing one copy of the text.
        for d in self.diagnostics_up_to(max) {
            let mut s = String::new();
            if handler.render_report(&mut s, &d).is_err() {
                return self.plain();
            }
            out.push_str(&s);
            out.push('\n');
        }
        if self.errors.len() > max {
            out.push_str(&format!(
                "… and {} more errors in {}\n",
                self.errors.len() - max,
                crate::text_safe::escape(&self.file)
            ));
        }
        out
    }

    /// One miette diagnostic per defect.
    pub fn diagnostics(&self) -> Vec<FileDiagnostic> {
        self.diagnostics_up_to(usize::MAX)
    }

    /// The diagnostics of the first `max` defects. They share one copy of the file's text (made
    /// safe to show on a terminal once, offsets unchanged), so memory does not grow with the
    /// number of defects times the size of the file.
    pub fn diagnostics_up_to(&self, max: usize) -> Vec<FileDiagnostic> {
        let shown: Arc<str> = match crate::text_safe::same_length_display(&self.text) {
            std::borrow::Cow::Borrowed(_) => Arc::clone(&self.text),
            std::borrow::Cow::Owned(s) => Arc::from(s),
        };
        let name = crate::text_safe::escape(&self.file).into_owned();
        self.errors
            .iter()
            .take(max)
            .map(|e| FileDiagnostic {
                error: e.clone(),
                file: name.clone(),
                source: NamedSource::new(name.clone(), Arc::clone(&shown)),
            })
            .collect()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.first();
        write!(
            f,
            "{}:{}:{}: {}",
            crate::text_safe::escape(&self.file),
            e.at.line.max(1),
            e.at.column.max(1),
            crate::text_safe::escape(&e.message)
        )?;
        if self.errors.len() > 1 {
            write!(f, " (and {} more)", self.errors.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// One defect with its source text: what the CLI hands to miette to render.
#[derive(Debug)]
pub struct FileDiagnostic {
    pub error: InputError,
    pub file: String,
    pub source: NamedSource<Arc<str>>,
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file,
            self.error.at.line.max(1),
            self.error.at.column.max(1),
            crate::text_safe::escape(&self.error.message)
        )
    }
}

impl std::error::Error for FileDiagnostic {}

impl Diagnostic for FileDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.error.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            crate::text_safe::escape(&self.error.help).into_owned(),
        ))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text_len = self.source.inner().len();
        let at = self.error.at;
        let offset = at.offset.min(text_len);
        let len = at.len.min(text_len - offset);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(crate::text_safe::escape(&self.error.label).into_owned()),
            offset,
            len,
        ))))
    }
}
