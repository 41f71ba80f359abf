// The style and script of the --format html page, inlined into it: the page makes no request of
// any kind. The script reads the steps from the page's own JSON and only toggles classes on the
// SVG that Graphviz drew; typed answers are read by a small arithmetic parser, never evaluated.

/** Colors pass WCAG AA against their backgrounds; meaning is also carried by width, dashes and words. */
export const PAGE_STYLE: string = `
:root { color-scheme: light; --ink: #111827; --muted: #374151; --accent: #b91c1c; --done: #1d4ed8; --paper: #ffffff; --panel: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: var(--paper); }
header { padding: 0.75rem 1.25rem; border-bottom: 1px solid #d1d5db; }
h1 { font-size: 1.25rem; margin: 0 0 0.25rem; }
header p { margin: 0.15rem 0; color: var(--muted); }
header code { white-space: pre-wrap; }
code, .math { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
main { display: flex; flex-wrap: wrap; gap: 1rem; padding: 1rem 1.25rem; }
.graph { flex: 3 1 32rem; align-self: flex-start; min-width: 0; max-height: 80vh; overflow: auto; border: 1px solid #d1d5db; border-radius: 6px; padding: 0.5rem; }
.graph svg { max-width: none; height: auto; }
.steps { flex: 2 1 22rem; min-width: 0; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; margin-bottom: 0.5rem; }
button { font: inherit; padding: 0.3rem 0.7rem; border: 1px solid #6b7280; border-radius: 4px; background: var(--panel); color: var(--ink); cursor: pointer; }
button:focus-visible, input:focus-visible, li:focus-visible { outline: 3px solid var(--done); outline-offset: 2px; }
input[type=range] { flex: 1 1 8rem; }
#counter { color: var(--muted); min-width: 7rem; }
#phase { margin: 0.25rem 0; font-weight: 600; }
#current { margin: 0.25rem 0 0.75rem; padding: 0.5rem 0.75rem; background: var(--panel); border-left: 4px solid var(--accent); white-space: pre-wrap; }
#quiz { margin: 0 0 0.75rem; }
#quiz input { font: inherit; width: 10rem; padding: 0.25rem; }
#feedback { margin: 0.25rem 0; white-space: pre-wrap; }
ol { position: relative; margin: 0; padding-left: 3.25rem; max-height: 60vh; overflow: auto; }
li { padding: 0.1rem 0.25rem; cursor: pointer; }
li.here { background: #fee2e2; font-weight: 600; }
li.ahead { color: #4b5563; }
ol.math li { white-space: pre-wrap; }
.entries { margin: 0 0 0.75rem; }
.entries table { border-collapse: collapse; margin: 0.25rem 0; }
.entries td { padding: 1px; }
.entries button { font: inherit; font-size: 0.85rem; padding: 0.1rem 0.4rem; min-width: 4rem; }
#fit { display: block; margin-bottom: 0.4rem; font-size: 0.875rem; }
#fit[aria-pressed=true] { background: #fee2e2; border-color: var(--accent); }
.entries button[aria-pressed=true] { background: #fee2e2; border-color: var(--accent); }
.entries pre { margin: 0.25rem 0; padding: 0.5rem 0.75rem; background: var(--panel); white-space: pre-wrap; }
#choices button { display: block; margin: 0.25rem 0; text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.node.pending, .edge.pending { opacity: 0.35; }
.node.current polygon { stroke: var(--accent); stroke-width: 3; }
.edge.current path { stroke: var(--accent); stroke-width: 3.5; }
.edge.current polygon { stroke: var(--accent); fill: var(--accent); }
.edge.done path { stroke: var(--done); stroke-width: 2; stroke-dasharray: 6 3; }
.unseen { visibility: hidden; }
@media print {
  .controls, #quiz { display: none; }
  ol { max-height: none; overflow: visible; }
  li.ahead { color: var(--ink); }
  .node.pending, .edge.pending { opacity: 1; }
  .unseen { visibility: visible; }
}
`

/**
 * The page's script as one function over its data, so that the playground can mount a new page
 * each time the program changes: \`host\` (the playground) then owns the address and the listeners'
 * lifetime (\`signal\`), and is told each step; without one, the page keeps \`#step=N\` itself.
 */
export const PAGE_MOUNT: string = `
function mountPage(data, host) {
  'use strict';
  var steps = data.steps, total = steps.length;
  var listen = host && host.signal ? { signal: host.signal } : undefined;
  var $ = function (id) { return document.getElementById(id); };
  var nodes = {}, edges = {};
  document.querySelectorAll('g.node').forEach(function (g) { nodes[g.id.replace('node-', '')] = g; });
  document.querySelectorAll('g.edge').forEach(function (g) { if (g.id.indexOf('edge-') === 0) edges[g.id.replace('edge-', '')] = g; });
  var texts = function (g, word) {
    return Array.prototype.filter.call(g.querySelectorAll('text'), function (t) { return t.textContent.indexOf(word + ' ') === 0; });
  };
  // A graph a little wider than its panel is scaled to fit; a big one keeps its size and scrolls.
  var panel = document.querySelector('.graph'), svg = panel && panel.querySelector('svg');
  if (svg && svg.width.baseVal.value <= 1.6 * panel.clientWidth) svg.style.width = '100%';
  // In the playground (a narrow screen, a big graph), a button fits the whole graph to its panel and back.
  if (host && svg && svg.style.width !== '100%') {
    var fit = document.createElement('button');
    fit.type = 'button';
    fit.id = 'fit';
    fit.textContent = data.words.fit;
    fit.setAttribute('aria-pressed', 'false');
    fit.addEventListener('click', function () {
      var on = fit.getAttribute('aria-pressed') !== 'true';
      fit.setAttribute('aria-pressed', String(on));
      svg.style.width = on ? '100%' : '';
    });
    panel.insertBefore(fit, panel.firstChild);
  }
  var answered = steps.map(function () { return false; });
  var misses = steps.map(function () { return 0; });
  var at = 0;
  var list = $('list');
  steps.forEach(function (step, k) {
    var li = document.createElement('li');
    li.id = 'step-' + (k + 1);
    li.tabIndex = -1;
    li.addEventListener('click', function () { go(k); });
    list.appendChild(li);
  });
  function shown(k) { return !data.quiz || !steps[k].question || answered[k]; }
  function render() {
    var seen = { value: {}, grad: {}, label: {}, node: {}, edge: {} };
    for (var k = 0; k <= at; k++) {
      if (!shown(k)) continue;
      var r = steps[k].reveal;
      (r.values || []).forEach(function (i) { seen.value[i] = seen.node[i] = true; });
      (r.grads || []).forEach(function (i) { seen.grad[i] = seen.node[i] = true; });
      (r.labels || []).forEach(function (e) { seen.label[e] = seen.edge[e] = true; });
      (r.flows || []).forEach(function (e) { seen.edge[e] = true; });
    }
    var step = steps[at];
    Object.keys(nodes).forEach(function (i) {
      var g = nodes[i];
      g.classList.toggle('current', step.nodes.indexOf(+i) >= 0);
      g.classList.toggle('pending', !seen.node[i] && !data.constants[i]);
      texts(g, data.words.value).forEach(function (t) { t.classList.toggle('unseen', !seen.value[i]); });
      texts(g, data.words.grad).forEach(function (t) { t.classList.toggle('unseen', !seen.grad[i]); });
    });
    Object.keys(edges).forEach(function (e) {
      var g = edges[e];
      g.classList.toggle('current', step.edges.indexOf(+e) >= 0);
      g.classList.toggle('done', !!seen.edge[e] && data.flows[e] !== undefined && data.flows[e] <= at && step.edges.indexOf(+e) < 0);
      g.classList.toggle('pending', !seen.edge[e]);
      g.querySelectorAll('text').forEach(function (t) { t.classList.toggle('unseen', !seen.label[e]); });
    });
    $('counter').textContent = 'step ' + (at + 1) + ' of ' + total;
    $('slider').value = String(at + 1);
    $('slider').setAttribute('aria-valuetext', 'step ' + (at + 1) + ' of ' + total);
    $('phase').textContent = data.phases[step.phase];
    var asking = data.quiz && step.question && !answered[at];
    $('current').textContent = asking ? step.question.ask + (step.question.choices ? '?' : ' = ?') : step.text;
    $('quiz').hidden = !asking;
    $('feedback').textContent = '';
    if (asking) askQuestion(step.question);
    showEntries(asking ? undefined : step.entries);
    steps.forEach(function (s, k) {
      var li = list.children[k];
      li.textContent = shown(k) ? s.text : s.question.ask + (s.question.choices ? '?' : ' = ?');
      li.classList.toggle('here', k === at);
      li.classList.toggle('ahead', k > at);
      if (k === at) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    });
    // The current node in view inside the graph's panel (big graphs scroll), the page left where it is.
    var focus = nodes[step.nodes[0]];
    if (focus && panel) {
      var box = focus.getBoundingClientRect(), view = panel.getBoundingClientRect();
      if (box.left < view.left || box.right > view.right) panel.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
      if (box.top < view.top || box.bottom > view.bottom) panel.scrollTop += box.top - view.top - (view.height - box.height) / 2;
    }
    // Keep the current step in view inside the list, without scrolling the page itself.
    var li = list.children[at];
    if (li.offsetTop < list.scrollTop) list.scrollTop = li.offsetTop;
    else if (li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = li.offsetTop + li.offsetHeight - list.clientHeight;
  }
  // At a matrix product or a convolution: the gradient's entries as a grid; a click opens that entry's scalar chain.
  var entriesBox = null;
  if (steps.some(function (s) { return s.entries; })) {
    entriesBox = document.createElement('div');
    entriesBox.id = 'entries';
    entriesBox.className = 'entries';
    $('current').parentNode.insertBefore(entriesBox, $('current').nextSibling);
  }
  function showEntries(entries) {
    if (!entriesBox) return;
    entriesBox.hidden = !entries;
    entriesBox.textContent = '';
    if (!entries) return;
    var caption = document.createElement('p');
    caption.textContent = data.words.entries + ' ' + entries.of;
    var table = document.createElement('table');
    var cols = entries.shape.length === 2 ? entries.shape[1] : entries.cells.length;
    var chain = document.createElement('pre');
    chain.id = 'chain';
    chain.setAttribute('aria-live', 'polite');
    var row;
    entries.cells.forEach(function (cell, k) {
      if (k % cols === 0) { row = document.createElement('tr'); table.appendChild(row); }
      var td = document.createElement('td'), button = document.createElement('button');
      button.type = 'button';
      button.id = 'entry-' + (k + 1);
      button.textContent = cell;
      button.setAttribute('aria-pressed', 'false');
      var index = entries.shape.length === 2 ? [Math.floor(k / cols) + 1, k % cols + 1] : [k + 1];
      button.setAttribute('aria-label', entries.of + '[' + index.join(', ') + '] = ' + cell);
      button.addEventListener('click', function () {
        table.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b === button)); });
        chain.textContent = entries.chains[k];
      });
      td.appendChild(button);
      row.appendChild(td);
    });
    entriesBox.appendChild(caption);
    entriesBox.appendChild(table);
    entriesBox.appendChild(chain);
  }
  // A question is answered by a number (scalars), a shape, or a choice among rules (tensors).
  var choicesBox = document.createElement('div');
  choicesBox.id = 'choices';
  $('answer').parentNode.insertBefore(choicesBox, $('answer'));
  function askQuestion(q) {
    var label = document.querySelector('label[for=answer]');
    label.textContent = q.choices ? data.words.choose : q.shape ? data.words.shape : data.words.answer;
    $('answer').hidden = !!q.choices;
    document.querySelector('#quiz button[type=submit]').hidden = !!q.choices;
    choicesBox.textContent = '';
    (q.choices || []).forEach(function (choice, k) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = choice;
      button.addEventListener('click', function () { judge(k === q.answer); });
      choicesBox.appendChild(button);
    });
  }
  function readShape(text) {
    var t = text.trim().toLowerCase();
    if (/^(scalar|\\(\\)|\\[\\])$/.test(t)) return [];
    var parts = t.replace(/^[(\\[]|[)\\]]$/g, '').split(/\\s*(?:x|\\u00d7|,|by|\\*)\\s*/);
    if (parts.length < 1 || parts.length > 2 || !parts.every(function (p) { return /^\\d+$/.test(p); })) return undefined;
    return parts.map(Number);
  }
  function go(k) {
    at = Math.max(0, Math.min(total - 1, k));
    if (host) host.onStep(at + 1);
    else if (history.replaceState) history.replaceState(null, '', '#step=' + (at + 1));
    render();
  }
  function fromHash() {
    var m = /step=(\\d+)/.exec(location.hash);
    if (m) { at = Math.max(0, Math.min(total - 1, +m[1] - 1)); render(); }
  }
  $('first').addEventListener('click', function () { go(0); });
  $('back').addEventListener('click', function () { go(at - 1); });
  $('next').addEventListener('click', function () { go(at + 1); });
  $('last').addEventListener('click', function () { go(total - 1); });
  $('slider').addEventListener('input', function () { go(+$('slider').value - 1); });
  document.addEventListener('keydown', function (event) {
    var target = event.target, tag = target && target.tagName;
    // Keys typed into a box, or moving within a group of choices, are not steps; in the playground,
    // only keys on the page itself or in its stepping view are (its other panels scroll with them).
    if ((tag === 'INPUT' && target.type !== 'range') || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.getAttribute && target.getAttribute('role') === 'radio')) return;
    if (host && host.root && target !== document.body && !host.root.contains(target)) return;
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: total - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    go(to);
  }, listen);
  if (!host) window.addEventListener('hashchange', fromHash);
  // Answers: numbers and arithmetic with the names of values already shown, as the terminal quiz takes them.
  function readAnswer(text, names) {
    var tokens = text.replace(/\\u2212/g, '-').replace(/[\\u00b7\\u00d7]/g, '*').match(/\\d*\\.?\\d+(?:e[+-]?\\d+)?|[A-Za-z_$][\\w$]*|\\*\\*|\\S/gi) || [];
    var p = 0;
    function peek() { return tokens[p]; }
    function take() { return tokens[p++]; }
    function primary() {
      var t = take();
      if (t === undefined) throw new Error('the answer ends too early');
      if (t === '(') { var v = sum(); if (take() !== ')') throw new Error('a ( is not closed'); return v; }
      if (t === '-') return -power();
      if (t === '+') return power();
      if (/^\\d|^\\./.test(t)) return parseFloat(t);
      if (Object.prototype.hasOwnProperty.call(names, t)) return names[t];
      throw new Error(t + ' is not a number or a name with a value here');
    }
    function power() { var b = primary(); if (peek() === '^' || peek() === '**') { take(); return Math.pow(b, power()); } return b; }
    function product() { var v = power(); while (peek() === '*' || peek() === '/') { v = take() === '*' ? v * power() : v / power(); } return v; }
    function sum() { var v = product(); while (peek() === '+' || peek() === '-') { v = take() === '+' ? v + product() : v - product(); } return v; }
    var value = sum();
    if (p < tokens.length) throw new Error('cannot read "' + tokens[p] + '"');
    return value;
  }
  $('quiz').addEventListener('submit', function (event) {
    event.preventDefault();
    var q = steps[at].question, feedback = $('feedback');
    if (q.shape) {
      var shape = readShape($('answer').value);
      if (!shape) { feedback.textContent = 'cannot read that: type a shape as 3x2, 3 (a vector) or scalar'; return; }
      judge(shape.join('x') === q.shape.join('x'));
      return;
    }
    var value;
    try { value = readAnswer($('answer').value, data.names); } catch (error) { feedback.textContent = 'cannot read that: ' + error.message; return; }
    var tolerance = data.tolerance;
    judge(Math.abs(value - q.answer) <= tolerance * Math.abs(q.answer) + tolerance / 100);
  });
  function judge(right) {
    var q = steps[at].question, feedback = $('feedback');
    if (right) {
      answered[at] = true;
      $('answer').value = '';
      render();
      $('feedback').textContent = 'right: ' + q.reveal;
      return;
    }
    misses[at]++;
    if (misses[at] > 2) { answered[at] = true; render(); $('feedback').textContent = 'the answer: ' + q.reveal; return; }
    feedback.textContent = 'not quite. Hint: ' + q.hints[misses[at] - 1];
  }
  $('slider').max = String(total);
  at = 0;
  if (host) {
    at = Math.max(0, Math.min(total - 1, (host.step || 1) - 1));
    host.onStep(at + 1);
  } else fromHash();
  render();
}
`

export const PAGE_SCRIPT: string = `${PAGE_MOUNT}mountPage(JSON.parse(document.getElementById('page-data').textContent));
`
