//! What the image pipeline needs of a registry, in its own terms: the repository it
//! pushes to and the login for it. `aws/ecr.rs` implements [`super::pipeline::Registry`]
//! with these for ECR.

/// A repository wharf pushes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `<app>/<svc>`.
    pub name: String,
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<app>/<svc>`.
    pub uri: String,
    /// Whether this call created it.
    pub created: bool,
    /// It exists and does not carry the tags wharf gives its repositories (say,
    /// Copilot's): images are pushed to it, its settings are left as they are.
    pub foreign: bool,
}

/// Credentials for `docker login`. Not `Debug`, so the password cannot end up in a log.
pub struct RegistryLogin {
    /// `https://<account>.dkr.ecr.<region>.amazonaws.com`.
    pub endpoint: String,
    /// Always `AWS` for ECR.
    pub username: String,
    /// A 12-hour token.
    pub password: String,
}
