/**
 * The customer page's only script, served from our own origin (the page's CSP allows nothing
 * else): the helper answers in place instead of reloading the page. Without it the same form
 * posts and the page comes back with the answer.
 */
export const CUSTOMER_PAGE_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('chat-form');
  var log = document.getElementById('chat-log');
  if (!form || !log || !window.fetch) return;
  var you = form.getAttribute('data-you') || '';
  var helper = form.getAttribute('data-helper') || '';
  function line(who, text) {
    var p = document.createElement('p');
    var b = document.createElement('span');
    b.className = 'who';
    b.textContent = who + ': ';
    p.appendChild(b);
    p.appendChild(document.createTextNode(text));
    log.appendChild(p);
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = form.querySelector('input[name=q]');
    var q = input.value.trim();
    if (!q) return;
    var body = new URLSearchParams(new FormData(form));
    var button = form.querySelector('button');
    button.disabled = true;
    fetch(form.getAttribute('action').split('#')[0], {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      credentials: 'omit',
    })
      .then(function (res) { return res.json(); })
      .then(function (data) {
        line(you, q);
        line(helper, data.answer || data.detail || '');
        if (data.state) form.querySelector('input[name=state]').value = data.state;
        input.value = '';
      })
      .catch(function () { form.submit(); })
      .finally(function () { button.disabled = false; input.focus(); });
  });
})();
`;
