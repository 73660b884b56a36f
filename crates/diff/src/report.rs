//! The self-contained HTML report of `cartwatch report`: escaping and
//! Content-Security-Policy helpers ([`html`]); the renderer lands once the
//! diff types are public.

pub mod html;
