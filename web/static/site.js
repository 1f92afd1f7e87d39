// wenku site script: enhancements only. Reading, searching and the forms all work without it.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  // Search suggestions from the query log, into the search box's <datalist>.
  var box = document.querySelector('input[data-suggest]');
  var list = document.getElementById('search-suggest');
  if (box && list) {
    var timer = null, last = '';
    box.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (!q || q === last) return;
        last = q;
        fetch('/api/v1/suggest?q=' + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (j) {
          list.textContent = '';
          (j.suggestions || []).forEach(function (s) {
            var o = document.createElement('option');
            o.value = s;
            list.appendChild(o);
          });
        }).catch(function () {});
      }, 200);
    });
  }

  // The reader: 点击查看更多 in place, the page-number box and arrow keys, fit width or
  // actual size, full screen, the page text shown on request, placeholders replaced when
  // their page image is made. Page images beyond the first screen load as they scroll in
  // (loading="lazy"); without this script every shown page is still there.
  var more = document.querySelector('a.more-pages');
  var previews = document.getElementById('pages');
  var reader = document.getElementById('reader');
  var pageObserver = null, textObserver = null;
  var fillText = function (fig) {
    var n = fig.getAttribute('data-n');
    fetch('/api/v1/documents/' + previews.dataset.id + '/text?page=' + n, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.text() : ''; }).then(function (t) {
        t = t.trim();
        if (!t) return;
        var div = document.createElement('div');
        div.className = 'page-text';
        div.textContent = t;
        fig.appendChild(div);
      }).catch(function () {});
  };
  // Pages not made yet: a placeholder (正在生成) asks for its image when it comes near (the
  // server then renders that page first), asks again after the Retry-After of the answer,
  // and is replaced by the image when it is ready. A 404 without Retry-After (no such page)
  // ends the asking.
  var nearObserver = null;
  var pollPage = function (ph) {
    var src = ph.getAttribute('data-src'), tries = 0;
    var attempt = function () {
      fetch(src, {credentials: 'same-origin'}).then(function (r) {
        if (r.ok) {
          var img = new Image();
          img.onload = function () { if (ph.parentNode) ph.parentNode.replaceChild(img, ph); };
          img.alt = ph.getAttribute('aria-label');
          img.width = parseInt(ph.getAttribute('data-width'), 10) || 595;
          img.height = parseInt(ph.getAttribute('data-height'), 10) || 842;
          img.src = src;
          return;
        }
        var wait = parseInt(r.headers.get('Retry-After') || '', 10);
        if (!(wait > 0) || ++tries > 100) return;
        setTimeout(attempt, Math.min(wait, 30) * 1000);
      }).catch(function () { if (++tries <= 100) setTimeout(attempt, 5000); });
    };
    attempt();
  };
  var watchPlaceholder = function (ph) {
    if (!window.IntersectionObserver) return pollPage(ph);
    if (!nearObserver) {
      nearObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (!en.isIntersecting) return;
          nearObserver.unobserve(en.target);
          pollPage(en.target);
        });
      }, {rootMargin: '600px 0px'});
    }
    nearObserver.observe(ph);
  };
  // An image of a page added below that is not made yet becomes a placeholder.
  var placeholderFor = function (img, n) {
    var d = previews.dataset;
    var ph = document.createElement('div');
    ph.className = 'page-placeholder';
    ph.setAttribute('role', 'img');
    ph.setAttribute('aria-label', img.alt);
    ph.setAttribute('data-src', img.getAttribute('src'));
    ph.setAttribute('data-n', String(n));
    var span = document.createElement('span');
    span.textContent = d.pending;
    ph.appendChild(span);
    return ph;
  };
  var expandAll = function () {
    if (!more || !previews) return;
    var d = previews.dataset;
    var shown = parseInt(d.shown, 10), available = parseInt(d.available, 10);
    var limit = Math.min(available, parseInt(d.limit, 10));
    for (var n = shown + 1; n <= limit; n++) {
      var fig = document.createElement('figure');
      fig.className = 'page';
      fig.id = 'page-' + n;
      fig.setAttribute('data-n', String(n));
      var img = document.createElement('img');
      img.loading = 'lazy';
      img.src = '/api/v1/documents/' + d.id + '/pages/' + n;
      img.alt = d.title + '_第' + n + '页';
      img.onerror = (function (image, num) {
        return function () {
          if (!image.parentNode) return;
          var ph = placeholderFor(image, num);
          image.parentNode.replaceChild(ph, image);
          watchPlaceholder(ph);
        };
      })(img, n);
      var cap = document.createElement('figcaption');
      cap.textContent = d.labelPre + n + d.labelPost + d.totalPre + d.total + d.totalPost;
      fig.appendChild(img);
      fig.appendChild(cap);
      previews.appendChild(fig);
      if (pageObserver) pageObserver.observe(fig);
      if (textObserver) textObserver.observe(fig);
    }
    d.shown = String(limit);
    if (more.parentNode) more.parentNode.removeChild(more);
    more = null;
  };
  if (more && previews) {
    more.addEventListener('click', function (e) {
      e.preventDefault();
      expandAll();
    });
  }
  if (reader && previews) {
    var bar = reader.querySelector('.reader-bar');
    var box = bar.querySelector('.page-box');
    var total = parseInt(previews.dataset.total, 10) || 1;
    var current = 1;
    // After a jump the observer below may still report pages from before it (late on a busy
    // machine): for 2 s only the target is taken as current, so two quick presses move two
    // pages.
    var jumpTarget = 0, jumpedAt = 0;
    var go = function (n) {
      n = Math.max(1, Math.min(n, total));
      var fig = document.getElementById('page-' + n);
      if (!fig) {
        expandAll();
        fig = document.getElementById('page-' + n);
      }
      if (!fig) {
        var all = previews.querySelectorAll('figure.page');
        fig = all[all.length - 1];
      }
      current = parseInt(fig.getAttribute('data-n'), 10);
      box.value = String(current);
      jumpTarget = current;
      jumpedAt = Date.now();
      fig.scrollIntoView({block: 'start'});
    };
    bar.addEventListener('submit', function (e) {
      e.preventDefault();
      go(parseInt(box.value, 10) || 1);
    });
    document.addEventListener('keydown', function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var tag = e.target && e.target.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (e.target && e.target.isContentEditable)) return;
      if (e.key === 'ArrowRight') go(current + 1);
      else if (e.key === 'ArrowLeft') go(current - 1);
      else return;
      e.preventDefault();
    });
    // The page in the middle of the window is the current one.
    if (window.IntersectionObserver) {
      pageObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (!en.isIntersecting) return;
          var seen = parseInt(en.target.getAttribute('data-n'), 10);
          // Until 2 s after a jump only its target counts: an entry from before it (late,
          // or in the same batch as the target's) would move the current page back.
          if (seen !== jumpTarget && Date.now() - jumpedAt < 2000) return;
          current = seen;
          if (document.activeElement !== box) box.value = String(current);
        });
      }, {rootMargin: '-45% 0px -50% 0px'});
      // Pages added by 点击查看更多 fetch their text when they come near.
      textObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (!en.isIntersecting) return;
          textObserver.unobserve(en.target);
          if (!en.target.querySelector('.page-text')) fillText(en.target);
        });
      }, {rootMargin: '600px 0px'});
      previews.querySelectorAll('figure.page').forEach(function (f) { pageObserver.observe(f); });
    }
    var fit = bar.querySelector('.zoom-fit'), actual = bar.querySelector('.zoom-actual');
    var zoom = function (isActual) {
      previews.classList.toggle('actual', isActual);
      fit.setAttribute('aria-pressed', String(!isActual));
      actual.setAttribute('aria-pressed', String(isActual));
    };
    fit.hidden = false;
    actual.hidden = false;
    fit.addEventListener('click', function () { zoom(false); });
    actual.addEventListener('click', function () { zoom(true); });
    var full = bar.querySelector('.full-screen');
    if (document.fullscreenEnabled && reader.requestFullscreen) {
      full.hidden = false;
      full.addEventListener('click', function () {
        if (document.fullscreenElement) document.exitFullscreen();
        else reader.requestFullscreen().catch(function () {});
      });
    }
    var toggle = bar.querySelector('.toggle-text');
    if (toggle) {
      toggle.addEventListener('click', function (e) {
        e.preventDefault();
        var on = previews.classList.toggle('show-text');
        toggle.textContent = on ? toggle.getAttribute('data-hide') : toggle.getAttribute('data-show');
      });
    }
    // Where the site forbids copying, the page text cannot be copied (it is still read aloud).
    previews.addEventListener('copy', function (e) {
      if (previews.classList.contains('no-copy')) e.preventDefault();
    });
    previews.querySelectorAll('.page-placeholder').forEach(watchPlaceholder);
  }

  // A document still processing: reload its page once it is done.
  var poll = document.querySelector('[data-poll]');
  if (poll) {
    var pid = poll.getAttribute('data-poll');
    var tick = function () {
      fetch('/api/v1/documents/' + pid, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) {
        if (j.status && j.status !== 'processing') location.reload();
        else setTimeout(tick, 1500);
      }).catch(function () { setTimeout(tick, 3000); });
    };
    setTimeout(tick, 1500);
  }

  // Confirmation before deleting.
  document.querySelectorAll('form.confirm').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();
    });
  });

  // Upload: each file sent with XMLHttpRequest (real byte progress), then the processing
  // progress polled from the API; one file ends on its document page.
  var form = document.getElementById('upload-form');
  var out = document.getElementById('upload-list');
  if (form && out) {
    var L = form.dataset;
    var row = function (name) {
      var li = document.createElement('li');
      li.className = 'upload-item';
      var label = document.createElement('span');
      label.className = 'upload-name';
      label.textContent = name;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      var state = document.createElement('span');
      state.className = 'upload-state';
      li.appendChild(label);
      li.appendChild(bar);
      li.appendChild(state);
      out.appendChild(li);
      return {li: li, bar: bar, state: state};
    };
    var watch = function (id, ui, done) {
      var tick = function () {
        fetch('/api/v1/documents/' + id, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) {
          if (j.status === 'processing') {
            var frac = j.pages > 0 ? j.preview_pages / j.pages : 0.1;
            ui.bar.value = Math.max(5, Math.round(100 * frac));
            ui.state.textContent = L.labelProcessing + ' ' + ui.bar.value + '%';
            setTimeout(tick, 700);
            return;
          }
          ui.bar.value = 100;
          ui.li.className += j.status === 'ready' ? ' done' : ' failed';
          ui.state.textContent = j.status === 'ready' ? L.labelDone : L.labelFailed + ': ' + (j.error || '');
          var a = document.createElement('a');
          a.href = '/d/' + id;
          a.textContent = ' /d/' + id;
          ui.li.appendChild(a);
          done(id);
        }).catch(function () { setTimeout(tick, 2000); });
      };
      tick();
    };
    var send = function (file, ui, done) {
      var fd = new FormData();
      fd.append('file', file, file.name);
      ['title', 'category', 'description', 'tags', 'visibility'].forEach(function (k) {
        var el = form.elements[k];
        if (el && el.value) fd.append(k, el.value);
      });
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/documents');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      ui.bar.className = 'bytes';
      xhr.upload.addEventListener('progress', function (ev) {
        if (!ev.lengthComputable) return;
        ui.bar.value = Math.round(100 * ev.loaded / ev.total);
        ui.state.textContent = L.labelUploading + ' ' + ui.bar.value + '%';
      });
      xhr.onload = function () {
        var j = {};
        try { j = JSON.parse(xhr.responseText); } catch (err) {}
        if (xhr.status === 202 && j.id) {
          ui.bar.className = 'processing';
          ui.bar.value = 0;
          watch(j.id, ui, done);
        } else {
          ui.li.className += ' failed';
          ui.state.textContent = L.labelFailed + ': ' + ((j.error && j.error.message) || xhr.status);
          done(0);
        }
      };
      xhr.onerror = function () {
        ui.li.className += ' failed';
        ui.state.textContent = L.labelFailed;
        done(0);
      };
      xhr.send(fd);
    };
    form.addEventListener('submit', function (e) {
      var input = form.querySelector('input[type=file]');
      if (!input.files.length || !window.FormData || !window.XMLHttpRequest) return;
      e.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      var max = parseInt(L.max, 10);
      var pending = files.length, ids = [];
      form.querySelector('button[type=submit]').disabled = true;
      var finish = function (id) {
        if (id) ids.push(id);
        pending -= 1;
        if (pending === 0) {
          form.querySelector('button[type=submit]').disabled = false;
          if (files.length === 1 && ids.length === 1) setTimeout(function () { location.href = '/d/' + ids[0]; }, 400);
        }
      };
      files.forEach(function (f) {
        var ui = row(f.name);
        if (max && f.size > max) {
          ui.li.className += ' failed';
          ui.state.textContent = L.labelFailed;
          finish(0);
          return;
        }
        send(f, ui, finish);
      });
    });
  }

  // Batch upload's status list: rows still processing follow their documents' states.
  var batch = document.getElementById('batch-status');
  if (batch && window.fetch) {
    var B = batch.dataset;
    var follow = function (tr) {
      fetch('/api/v1/documents/' + tr.getAttribute('data-id'), {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) {
        var cell = tr.querySelector('.batch-state');
        if (j.status === 'processing') {
          var frac = j.pages > 0 ? j.preview_pages / j.pages : 0;
          cell.textContent = B.labelProcessing + (frac > 0 ? ' ' + Math.round(100 * frac) + '%' : '');
          setTimeout(function () { follow(tr); }, 1000);
          return;
        }
        tr.className = 'batch-row ' + (j.status === 'ready' ? 'ready' : 'failed');
        cell.textContent = j.status === 'ready' ? B.labelDone : B.labelFailed + (j.error ? ': ' + j.error : '');
      }).catch(function () { setTimeout(function () { follow(tr); }, 3000); });
    };
    batch.querySelectorAll('tr.batch-row.processing[data-id]').forEach(follow);
  }
})();
