// Grant-call portal front-end entry point (ES module).
//
// Loaded as <script type="module" src="/static/dist/portal.js">, so it works
// under a strict CSP (script-src 'self'): no inline script, no eval.
// Module scripts are deferred, so document.body exists when this runs.
import { initAll } from './govuk-frontend.min.js'

// GOV.UK Frontend's template normally sets these classes from an inline
// <script>; we do it here instead. A browser that runs ES modules supports
// GOV.UK Frontend, so 'govuk-frontend-supported' can be set unconditionally.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

// Initialise all GOV.UK Frontend components found on the page (accordion,
// character count, error summary, service navigation menu, etc.).
initAll()
