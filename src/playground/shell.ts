// The playground's document: its boxes and panels, the --format html page's style and stepping
// script, and the bundled command line (src/playground/app.ts with Graphviz inlined). Written once
// at build time (scripts/bundle.mjs) to dist/playground.html, which `backprop-tutor playground`
// copies out: the page is the same for every student, and needs nothing but itself.
import { PAGE_MOUNT, PAGE_STYLE } from '../render/page.js'
import { PLAYGROUND as P } from '../steps/words.js'
import { escape } from '../render/html.js'

/** The playground's own layout, over the page's style; colours pass WCAG AA as the page's do. */
const STYLE = `
[hidden] { display: none !important; }
header form { display: grid; gap: 0.25rem; max-width: 60rem; margin-top: 0.5rem; }
header label { font-weight: 600; margin-top: 0.25rem; }
textarea, header input { font: 15px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; width: 100%; padding: 0.35rem 0.5rem; border: 1px solid #6b7280; border-radius: 4px; color: var(--ink); background: var(--paper); }
textarea:focus-visible, header input:focus-visible, pre:focus-visible, input[type=radio]:focus-visible { outline: 3px solid var(--done); outline-offset: 2px; }
.hint { margin: 0; font-size: 0.875rem; color: var(--muted); }
/* The command keeps its lines, so that it runs as copied. */
.panel pre.command { margin: 0.35rem 0 0; padding: 0; border: 0; background: none; white-space: pre-wrap; }
#pg-status { margin: 0.5rem 0 0; color: var(--muted); }
#pg-error { margin: 0.5rem 0 0; padding: 0.5rem 0.75rem; border-left: 4px solid var(--accent); background: #fef2f2; color: #7f1d1d; font: 14px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
#pg-error div { white-space: pre-wrap; }
/* The program's line and its caret are never folded: the caret must stay under its column. */
#pg-error pre { margin: 0; white-space: pre; overflow-x: auto; font: inherit; }
#pg-warnings { margin: 0.5rem 0 0; padding: 0.5rem 0.75rem; border-left: 4px solid #92400e; background: #fffbeb; color: #78350f; white-space: pre-wrap; overflow-x: auto; }
.stale #pg-trace, .stale .pg-views pre { opacity: 0.55; }
.panel { padding: 0 1.25rem 1rem; }
.panel h2 { font-size: 1.1rem; margin: 0.75rem 0 0.25rem; }
.panel h3 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.pg-side { display: flex; flex-wrap: wrap; gap: 1rem; }
.pg-side > section { flex: 1 1 24rem; min-width: 0; }
.panel pre, .pg-message { margin: 0; padding: 0.5rem 0.75rem; background: var(--panel); border: 1px solid #d1d5db; border-radius: 6px; overflow-x: auto; font: 13px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
#pg-transcript { max-height: 28rem; overflow-y: auto; white-space: pre-wrap; }
#pg-verdicts { white-space: pre-wrap; }
#pg-verdicts:empty, #pg-transcript:empty { display: none; }
fieldset { border: 0; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 1rem; }
legend { font-weight: 600; padding: 0; }
#pg-check-form, #pg-quiz-form { display: grid; gap: 0.35rem; max-width: 60rem; margin-bottom: 0.5rem; }
#pg-check-form label[for], #pg-quiz-form label { font-weight: 600; }
#pg-check-form button, #pg-quiz-form button { justify-self: start; }
#pg-quiz-start { margin-bottom: 0.5rem; }
#pg-quiz-answer { font: 15px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; padding: 0.3rem; max-width: 24rem; }
`

/** The boxes a student types into, and what the page says of them. */
const header = () => `<header>
<h1>${escape(P.heading)}</h1>
<p>${escape(P.intro)}</p>
<form id="pg-form">
<label for="pg-program">${escape(P.programLabel)}</label>
<textarea id="pg-program" rows="3" spellcheck="false" autocomplete="off" autocapitalize="off" aria-describedby="pg-program-hint pg-error"></textarea>
<p id="pg-program-hint" class="hint">${escape(P.programHint)}</p>
<label for="pg-values">${escape(P.valuesLabel)}</label>
<input id="pg-values" spellcheck="false" autocomplete="off" autocapitalize="off" aria-describedby="pg-values-hint pg-error">
<p id="pg-values-hint" class="hint">${escape(P.valuesHint)}</p>
</form>
<p id="pg-status" role="status"></p>
<div id="pg-error" role="alert" hidden></div>
<pre id="pg-warnings" role="status" hidden></pre>
</header>
<main id="pg-trace" aria-label="${escape(P.traceHeading)}"></main>
`

/** The terminal view in both modes, check and quiz. */
const panels = () => `<section class="panel pg-views" aria-labelledby="pg-tables-heading">
<h2 id="pg-tables-heading">${escape(P.tablesHeading)}</h2>
<div class="pg-side">
<section aria-labelledby="pg-reverse-heading">
<h3 id="pg-reverse-heading">${escape(P.reverseHeading)}</h3>
<pre id="pg-reverse" tabindex="0" aria-labelledby="pg-reverse-heading" aria-describedby="pg-reverse-command"></pre>
<pre id="pg-reverse-command" class="hint command"></pre>
</section>
<section aria-labelledby="pg-forward-heading">
<h3 id="pg-forward-heading">${escape(P.forwardHeading)}</h3>
<pre id="pg-forward" tabindex="0" aria-labelledby="pg-forward-heading"></pre>
</section>
</div>
</section>
<section class="panel" aria-labelledby="pg-check-heading">
<h2 id="pg-check-heading">${escape(P.checkHeading)}</h2>
<p>${escape(P.checkIntro)}</p>
<form id="pg-check-form">
<label for="pg-claims">${escape(P.checkLabel)}</label>
<textarea id="pg-claims" rows="5" spellcheck="false" autocomplete="off" autocapitalize="off"></textarea>
<fieldset>
<legend>${escape(P.checkKind)}</legend>
<label><input type="radio" name="pg-kind" id="pg-kind-claims" value="claims" checked> ${escape(P.claimsKind)}</label>
<label><input type="radio" name="pg-kind" id="pg-kind-written" value="written"> ${escape(P.writtenKind)}</label>
</fieldset>
<button type="submit">${escape(P.checkButton)}</button>
</form>
<pre id="pg-verdicts" tabindex="0" aria-live="polite" aria-label="${escape(P.checkHeading)}"></pre>
</section>
<section class="panel" aria-labelledby="pg-quiz-heading">
<h2 id="pg-quiz-heading">${escape(P.quizHeading)}</h2>
<p>${escape(P.quizIntro)}</p>
<button type="button" id="pg-quiz-start">${escape(P.quizStart)}</button>
<pre id="pg-transcript" role="log" tabindex="0" aria-label="${escape(P.quizHeading)}"></pre>
<form id="pg-quiz-form" hidden>
<label for="pg-quiz-answer">${escape(P.quizAnswer)}</label>
<input id="pg-quiz-answer" spellcheck="false" autocomplete="off" autocapitalize="off">
<button type="submit">${escape(P.quizSend)}</button>
</form>
</section>
`

/** The whole page around `script`, the bundled app (which must not contain "</script"). */
export function playgroundHtml(script: string): string {
  if (/<\/script|<!--/i.test(script)) throw new Error('the playground script would end its <script> element early')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(P.title)}</title>
<style>${PAGE_STYLE}${STYLE}</style>
</head>
<body>
${header()}${panels()}<script>${PAGE_MOUNT}</script>
<script>${script}</script>
</body>
</html>
`
}
