//! Container images: what a build depends on and how its image is tagged. (Building,
//! pushing to ECR and deploying by digest come with the image pipeline.)

pub mod context;
pub mod tag;
