// SPDX-License-Identifier: Apache-2.0
// The wall's page logic: one Server-Sent Events stream (/events) carries the whole state
// (docs/METADATA.md, "The wall's JSON"); each message re-renders it. Names and answers go in
// as text, never as HTML. Photos already on the page keep their <img>, so nothing is fetched
// twice. window.wallSeen[id] is when a photo first appeared (tests and bench/campaign read it).
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const number = new Intl.NumberFormat('en');
  const tiles = new Map();  // pledge id -> its <img> in the mosaic
  let heroId = null;
  let shownCount = null;
  window.wallSeen = {};

  function text(tag, cls, value) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function photoImg(item) {
    const img = document.createElement('img');
    img.src = item.photo;
    img.alt = '';
    img.dataset.id = item.id;
    return img;
  }

  function renderHero(item) {
    const hero = $('hero');
    hero.classList.toggle('has-photo', !!item);
    const old = hero.querySelector('figure');
    if (!item) {
      if (old) old.remove();
      heroId = null;
      return;
    }
    if (item.id === heroId) return;
    heroId = item.id;
    const fig = document.createElement('figure');
    fig.className = 'fresh';
    fig.dataset.id = item.id;
    fig.appendChild(photoImg(item));  // the sign in the photo shows the name and answer
    if (old) old.replaceWith(fig);
    else hero.appendChild(fig);
  }

  function renderMosaic(items) {
    const mosaic = $('mosaic');
    const keep = new Set(items.map((it) => it.id));
    for (const [id, img] of tiles) {
      if (!keep.has(id)) {
        img.remove();
        tiles.delete(id);
      }
    }
    items.forEach((item) => {
      let img = tiles.get(item.id);
      if (!img) {
        img = photoImg(item);
        tiles.set(item.id, img);
      }
      mosaic.appendChild(img);  // moves an existing tile into its new place
    });
  }

  function renderAnswers(items) {
    const list = $('answers');
    list.replaceChildren();
    items.slice(0, 3).forEach((item) => {
      const li = document.createElement('li');
      li.appendChild(text('span', 'quote', item.answer));
      if (item.name) li.appendChild(text('span', 'who', '\u2014 ' + item.name));
      list.appendChild(li);
    });
  }

  function render(state) {
    document.title = '#HeForShe \u00b7 ' + state.event.name;
    $('event').textContent = state.event.name;
    $('event-name').textContent = state.event.name;
    $('men').textContent = state.count === 1 ? 'man has' : 'men have';
    if (shownCount !== state.count) {
      const count = $('count');
      count.textContent = number.format(state.count);
      count.classList.remove('bump');
      if (shownCount !== null) {
        void count.offsetWidth;  // restart the animation
        count.classList.add('bump');
      }
      shownCount = state.count;
    }
    renderHero(state.photos[0] || null);
    renderMosaic(state.photos.slice(1));
    renderAnswers(state.answers);
    const now = Date.now();
    state.photos.forEach((p) => {
      if (!(p.id in window.wallSeen)) window.wallSeen[p.id] = now;
    });
    document.body.dataset.seq = String(state.seq);
    document.body.dataset.photos = state.photos.map((p) => p.id).join(' ');
  }

  function connect() {
    const events = new EventSource('events');
    events.addEventListener('wall', (e) => {
      document.body.classList.remove('offline', 'connecting');
      $('live').textContent = 'live';
      render(JSON.parse(e.data));
    });
    events.onerror = () => {
      document.body.classList.add('offline');
      $('live').textContent = 'reconnecting';
      // A refused stream (503: too many walls open from here, e.g. after quick reloads)
      // is not retried by the browser itself: try again in a while.
      if (events.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
    };
  }

  connect();
})();
