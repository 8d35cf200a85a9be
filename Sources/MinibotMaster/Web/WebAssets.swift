/// The stylesheet and the one hand-written script the pages use, served by the master
/// (`/static/minibot.css`, `/static/minibot.js`): no CDN, no build step, no inline script.
enum WebAssets {
    /// The xterm palette of the 16 basic colours.
    private static let basic = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
                                "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]

    /// The hex colour of xterm-256 colour `n`.
    static func colour(_ n: Int) -> String {
        if n < 16 { return basic[n] }
        if n < 232 {
            let steps = [0, 95, 135, 175, 215, 255]
            let i = n - 16
            return hex(steps[i / 36], steps[(i / 6) % 6], steps[i % 6])
        }
        let v = 8 + 10 * (n - 232)
        return hex(v, v, v)
    }

    private static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        "#" + [r, g, b].map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
    }

    static let css: String = {
        var css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
        header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#20232a;color:#fff}
        header a{color:#fff;text-decoration:none;margin-right:1em} .brand{font-weight:bold}
        main{padding:0 1.5em 2em} h1{font-size:1.35em} h2{font-size:1.1em;margin-top:1.6em}
        table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:.3em .6em;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
        .muted{color:#6b6b6b} .health{padding:.5em .8em;background:#eef3ff;border:1px solid #c9d6f5;border-radius:4px}
        .result{font-weight:600;white-space:nowrap} .cell{display:inline-block;margin:1px;padding:0 .35em;border-radius:3px;font-size:12px;text-decoration:none;color:#111}
        .success{background:#c8efc8} .warnings{background:#fbe9a8} .failure{background:#f6c0c0} .exception{background:#e3c0f0}
        .skipped{background:#e6e6e6} .retry{background:#c9e3f6} .cancelled{background:#f3d6b8} .running{background:#fff6c2} .pending{background:#eee}
        .banner{position:sticky;top:0;padding:.5em 1.5em;background:#b00020;color:#fff;font-weight:bold}
        .live{font-size:12px;padding:0 .5em;border-radius:3px;background:#2e7d32}
        details.step{margin:.4em 0;background:#fff;border:1px solid #e3e3e3;border-radius:4px;padding:.3em .6em}
        pre.log{background:#1e1e1e;color:#ddd;padding:.6em;overflow-x:auto;font:12px/1.4 ui-monospace,monospace;counter-reset:none;max-height:70vh;overflow-y:auto}
        pre.log .line{white-space:pre-wrap} pre.log .line:target{background:#44475a}
        .bold{font-weight:bold} .faint{opacity:.7} .italic{font-style:italic} .underline{text-decoration:underline}
        figure.timeline{margin:0;overflow-x:auto} svg.timeline{max-width:100%;height:auto;background:#fff} ul.upcoming{font-size:13px}
        .facts th{width:8em;color:#555} .paging a{margin-right:1em}
        .who{margin-left:auto} .who button{font-size:12px} form.inline{display:inline;margin:0}
        .notice{margin:.8em 1.5em;padding:.5em .8em;background:#e8f5e9;border:1px solid #a5d6a7;border-radius:4px}
        .problem{padding:.5em .8em;background:#fdecea;border:1px solid #f5c2c0;border-radius:4px}
        fieldset.actions{margin-top:.8em;background:#fff;border:1px solid #e3e3e3} fieldset.actions label{margin-right:.6em}
        details.force{margin:.8em 0;padding:.4em .6em;background:#fff;border:1px solid #e3e3e3;border-radius:4px}
        details.force label{display:inline-block;margin:.2em .8em .2em 0} details.force label.wide{display:block}
        details.force textarea{display:block;width:30em;max-width:100%} button.cancel{font-size:12px}
        .hidden-label{position:absolute;left:-9999px}

        """
        for n in 0..<256 {
            css += ".f\(n){color:\(colour(n))}.b\(n){background:\(colour(n))}"
            if n % 8 == 7 { css += "\n" }
        }
        return css
    }()

    /// Live updates: one EventSource per page on `/events?scope`, scope taken from the body's
    /// `data-stream`. On a build page it appends new log lines (the server renders them, as
    /// HTML already escaped) and updates step and build status; on other pages a build or
    /// request event reloads the page's content. A banner shows while the stream is down;
    /// EventSource reconnects by itself and resumes with Last-Event-ID.
    static let javascript = """
    "use strict";
    (function () {
      const scope = document.body.dataset.stream;
      if (!scope || !window.EventSource) return;
      const banner = document.getElementById("banner");
      const live = document.getElementById("live");
      // On a build page, tell the server how many lines of each step the page has.
      const counts = Array.from(document.querySelectorAll("details.step")).map(
        (d) => d.dataset.step + ":" + d.querySelectorAll("pre.log .line").length);
      const url = "/events?" + scope + (counts.length ? "&lines=" + counts.join(",") : "");
      const source = new EventSource(url);
      source.onopen = () => { banner.hidden = true; live.hidden = false; };
      source.onerror = () => { banner.hidden = false; live.hidden = true; };
      let reloading = false;
      let queued = [];
      // While someone fills in a form (ticks workers, types a reason), the page is not
      // replaced under them; the next event after they submit or leave it refreshes it.
      let editing = false;
      const touched = (e) => { if (e.target.closest && e.target.closest("main form")) editing = true; };
      document.addEventListener("input", touched);
      document.addEventListener("change", touched);
      function refresh() {
        if (reloading || editing) return;
        reloading = true;
        setTimeout(async () => {
          try {
            const r = await fetch(location.href, {headers: {"Accept": "text/html"}});
            const doc = new DOMParser().parseFromString(await r.text(), "text/html");
            const open = new Set(Array.from(document.querySelectorAll("details.step[open]")).map((d) => d.id));
            document.querySelector("main").replaceWith(doc.querySelector("main"));
            for (const id of open) { const d = document.getElementById(id); if (d) d.open = true; }
          } catch (e) {
            banner.hidden = false;
          } finally {
            reloading = false;
            const lines = queued;
            queued = [];
            for (const d of lines) appendLines(d);
          }
        }, 300);
      }
      function appendLines(d) {
        if (reloading) { queued.push(d); return; }
        const step = document.querySelector('details[data-step="' + d.step + '"]');
        if (!step) { queued.push(d); refresh(); return; }
        const pre = step.querySelector("pre.log");
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        for (const line of d.lines) {
          const id = step.id + "-L" + line.n;
          if (document.getElementById(id)) continue;
          const span = document.createElement("span");
          span.className = "line";
          span.id = id;
          span.innerHTML = line.html;  // rendered and escaped by the server
          pre.appendChild(span);
          pre.appendChild(document.createTextNode("\\n"));
        }
        step.open = true;
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      source.addEventListener("log", (e) => appendLines(JSON.parse(e.data)));
      for (const kind of ["build", "step", "request", "worker"]) {
        source.addEventListener(kind, () => refresh());
      }
    })();
    """
}
