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

// Live countdown to a call's deadline: <p data-deadline="2027-03-31T21:59:59Z"
// data-server-now="…Z" data-text-day="day" …>. The server renders the first text; this
// updates it every second in the same words (data-text-*) and says the call is closed at 0.
// The server's clock decides; data-server-now corrects for a visitor's clock that is off.
// As on the server, the deadline's stated second is included: 23:59:59 closes at 00:00:00.
function initCountdown (element) {
  const deadline = Date.parse(element.dataset.deadline) + 1000
  const serverNow = Date.parse(element.dataset.serverNow)
  if (Number.isNaN(deadline)) return
  const skew = Number.isNaN(serverNow) ? 0 : serverNow - Date.now()
  const text = (key) => element.dataset['text' + key.charAt(0).toUpperCase() + key.slice(1)]
  const unit = (n, name) => `${n} ${n === 1 ? text(name) : text(name + 's')}`

  function render () {
    const seconds = Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000))
    if (seconds === 0) {
      element.textContent = text('closed')
      return false
    }
    const days = Math.floor(seconds / 86400)
    const hours = Math.floor((seconds % 86400) / 3600)
    const minutes = Math.floor((seconds % 3600) / 60)
    const parts = []
    if (days) parts.push(unit(days, 'day'))
    if (days || hours) parts.push(unit(hours, 'hour'))
    if (days || hours || minutes) parts.push(unit(minutes, 'minute'))
    parts.push(unit(seconds % 60, 'second'))
    const last = parts.pop()
    element.textContent = parts.length
      ? text('many').replace('{parts}', parts.join(', ')).replace('{last}', last)
      : text('one').replace('{last}', last)
    return true
  }

  if (render()) {
    const timer = window.setInterval(() => {
      if (!render()) window.clearInterval(timer)
    }, 1000)
  }
}

document.querySelectorAll('[data-deadline]').forEach(initCountdown)

// A table that scrolls sideways (see portal.scss) can be focused and scrolled with the
// keyboard.
function markScrollableTables () {
  document.querySelectorAll('table.govuk-table').forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute('tabindex', '0')
    } else if (table.getAttribute('tabindex') === '0') {
      table.removeAttribute('tabindex')
    }
  })
}

markScrollableTables()
window.addEventListener('resize', markScrollableTables)

// "Select all on this page" (a link that reloads the page with every box ticked, for a
// browser without script): with script it ticks the boxes named in data-select-all in place,
// and a second click clears them.
document.querySelectorAll('a[data-select-all]').forEach((link) => {
  link.addEventListener('click', (event) => {
    const boxes = document.querySelectorAll(
      `input[type="checkbox"][name="${link.dataset.selectAll}"]`
    )
    if (!boxes.length) return
    event.preventDefault()
    const tick = Array.from(boxes).some((box) => !box.checked)
    boxes.forEach((box) => { box.checked = tick })
  })
})

// A file over the size limit is refused before it is sent: <input type="file"
// data-max-bytes="10485760" data-too-large="…">. The error shows on the field as the
// server would show it (GOV.UK error message, error summary), and nothing else on the page
// is lost. The server refuses it as well, for browsers that do not run this.
function showFileError (input, message) {
  const group = input.closest('.govuk-form-group')
  if (!group) return
  group.classList.add('govuk-form-group--error')
  input.classList.add('govuk-file-upload--error')
  let error = group.querySelector('.govuk-error-message')
  if (!error) {
    error = document.createElement('p')
    error.className = 'govuk-error-message'
    error.id = `${input.id}-error`
    input.before(error)
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${error.id}`.trim())
  }
  error.textContent = message
  input.focus()
}

function initFileLimit (input) {
  const limit = Number(input.dataset.maxBytes)
  const form = input.form
  if (!limit || !form) return
  form.addEventListener('submit', (event) => {
    const tooLarge = Array.from(input.files || []).some((file) => file.size > limit)
    if (tooLarge) {
      event.preventDefault()
      showFileError(input, input.dataset.tooLarge)
    }
  })
}

document.querySelectorAll('input[type=file][data-max-bytes]').forEach(initFileLimit)
