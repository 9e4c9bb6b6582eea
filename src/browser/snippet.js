/*! qatra.js: Qatra's website snippet (docs/tracking-snippet.md). Plain ES2017, no dependencies.
 * <script src="https://QATRA/js/qatra.js" data-write-key="KEY" async></script>
 * Sends Segment-shaped calls as text/plain POSTs (sendBeacon when the page hides) with the write key
 * in the body to QATRA/v1/p, /v1/i, /v1/t. Nothing is sent and no cookie set before the workspace's
 * settings are read, nor, when the workspace requires consent, before qatra.consent(true). */
(function (w, d) {
  'use strict';
  var script = d.currentScript;
  var key = script && script.getAttribute('data-write-key');
  if (!key || (w.qatra && w.qatra.loaded)) return;
  var host = script.getAttribute('data-host') || script.src.split('/js/')[0];
  var cookieDomain = script.getAttribute('data-cookie-domain');
  var VERSION = '1.0.0';
  var AID = 'qatra_aid';
  var UID = 'qatra_uid';
  var CONSENT = 'qatra_consent';
  var PATHS = { page: 'p', identify: 'i', track: 't' };
  var YEAR = 31536000;

  var settings = null; // { consentRequired } once read; null: nothing may be sent yet
  var consented = read(CONSENT) === '1' || null; // true, false (refused: wins even where not required) or null
  var hiding = false;
  var pending = [];
  var userId = null;
  var anonymousId = null;

  // A click id from a tracked email link: taken out of the address bar at once, sent with the next call.
  var cid = null;
  try {
    var here = new URL(w.location.href);
    cid = here.searchParams.get('qatra_cid');
    if (cid !== null) {
      here.searchParams.delete('qatra_cid');
      w.history.replaceState(w.history.state, '', here.pathname + here.search + here.hash);
    }
  } catch (e) {}

  function read(name) {
    var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    if (m) return decodeURIComponent(m[1]);
    try {
      return w.localStorage.getItem(name);
    } catch (e) {
      return null;
    }
  }

  function write(name, value) {
    var tail = '; path=/; SameSite=Lax' + (cookieDomain ? '; domain=' + cookieDomain : '') + (w.location.protocol === 'https:' ? '; Secure' : '');
    d.cookie = name + '=' + (value === null ? '; max-age=0' : encodeURIComponent(value) + '; max-age=' + YEAR) + tail;
    try {
      if (value === null) w.localStorage.removeItem(name);
      else w.localStorage.setItem(name, value);
    } catch (e) {}
  }

  function uuid() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    var b = new Uint8Array(16);
    w.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = '';
    for (var i = 0; i < 16; i++) h += (b[i] + 256).toString(16).slice(1) + (i === 3 || i === 5 || i === 7 || i === 9 ? '-' : '');
    return h;
  }

  function allowed() {
    return settings !== null && consented !== false && (consented || !settings.consentRequired);
  }

  function context() {
    var l = w.location;
    var q = new URLSearchParams(l.search);
    var campaign = {};
    var found = false;
    ['name:utm_campaign', 'source:utm_source', 'medium:utm_medium', 'term:utm_term', 'content:utm_content'].forEach(function (pair) {
      var p = pair.split(':');
      var v = q.get(p[1]);
      if (v !== null) {
        campaign[p[0]] = v;
        found = true;
      }
    });
    var c = {
      page: { url: l.href, path: l.pathname, search: l.search, title: d.title, referrer: d.referrer },
      library: { name: 'qatra.js', version: VERSION },
      userAgent: w.navigator.userAgent,
      locale: w.navigator.language,
    };
    try {
      c.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {}
    if (found) c.campaign = campaign;
    return c;
  }

  function enqueue(call) {
    call.context = context();
    call.timestamp = new Date().toISOString();
    call.messageId = 'qjs-' + uuid();
    pending.push(call);
    flush();
  }

  function flush() {
    if (!allowed()) return;
    if (!anonymousId) {
      anonymousId = read(AID) || uuid();
      write(AID, anonymousId);
    }
    if (userId === null) userId = read(UID);
    while (pending.length) {
      var call = pending.shift();
      if (call.userId !== undefined) {
        userId = call.userId;
        write(UID, userId);
      }
      call.anonymousId = anonymousId;
      if (userId) call.userId = userId;
      if (cid) {
        call.context.qatra = { cid: cid };
        cid = null;
      }
      send(call);
    }
  }

  function send(call) {
    call.writeKey = key;
    call.sentAt = new Date().toISOString();
    var url = host + '/v1/' + PATHS[call.type];
    var body = JSON.stringify(call);
    if (hiding && w.navigator.sendBeacon && w.navigator.sendBeacon(url, body)) return;
    w.fetch(url, { method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit' }).catch(function () {});
  }

  var api = {
    loaded: true,
    /** page([name], [properties]): a page view (sent once automatically on load). */
    page: function (name, properties) {
      if (typeof name === 'object' && name !== null) {
        properties = name;
        name = null;
      }
      var l = w.location;
      var props = { url: l.href, path: l.pathname, search: l.search, title: d.title, referrer: d.referrer };
      for (var k in properties || {}) props[k] = properties[k];
      enqueue(name ? { type: 'page', name: String(name), properties: props } : { type: 'page', properties: props });
    },
    /** identify(userIdOrEmail, [traits]): an email (anything with an @) becomes traits.email, anything else the userId. */
    identify: function (id, traits) {
      var t = {};
      for (var k in traits || {}) t[k] = traits[k];
      var call = { type: 'identify', traits: t };
      if (typeof id === 'string' && id.indexOf('@') > 0) {
        if (t.email === undefined) t.email = id.trim();
      } else if (id !== undefined && id !== null && id !== '') call.userId = String(id);
      enqueue(call);
    },
    track: function (event, properties) {
      enqueue({ type: 'track', event: String(event), properties: properties || {} });
    },
    /** consent(true) lets tracking start (and remembers it); consent(false) stops it and forgets this browser's ids. */
    consent: function (given) {
      consented = !!given;
      if (consented) {
        write(CONSENT, '1');
        flush();
      } else {
        pending = [];
        anonymousId = userId = null;
        write(CONSENT, null);
        write(AID, null);
        write(UID, null);
      }
    },
    /** Forgets the user (on logout): a new anonymous id from now on. */
    reset: function () {
      anonymousId = userId = null;
      write(AID, null);
      write(UID, null);
    },
  };

  // Calls made before the script loaded: window.qatra = window.qatra || []; qatra.push(['consent', true]).
  var queued = Array.isArray(w.qatra) ? w.qatra : [];
  w.qatra = api;
  queued.forEach(function (args) {
    if (api[args[0]]) api[args[0]].apply(api, args.slice(1));
  });
  if (script.getAttribute('data-page') !== 'false') api.page();

  d.addEventListener(
    'submit',
    function (e) {
      var form = e.target;
      if (!form || !form.hasAttribute || !form.hasAttribute('data-qatra-identify')) return;
      var named = form.getAttribute('data-qatra-identify');
      var field = (named && form.elements[named]) || form.querySelector('input[type=email]') || form.elements.email;
      var email = field && typeof field.value === 'string' ? field.value.trim() : '';
      if (email.indexOf('@') > 0) api.identify(email);
    },
    true,
  );

  function hide(hidden) {
    hiding = hidden;
    if (hidden) flush();
  }
  w.addEventListener('pagehide', function () {
    hide(true);
  });
  d.addEventListener('visibilitychange', function () {
    hide(d.visibilityState === 'hidden');
  });

  var done = function (s) {
    settings = { consentRequired: !!(s && s.consentRequired) };
    flush();
  };
  w.fetch(host + '/js/settings?writeKey=' + encodeURIComponent(key), { credentials: 'omit' })
    .then(function (r) {
      return r.ok ? r.json() : null;
    })
    .then(function (s) {
      if (s) done(s);
    })
    .catch(function () {});
})(window, document);
