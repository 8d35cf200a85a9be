import Hummingbird

/// `GET /`: one self-contained page that reads the API and shows builders, workers (with
/// availability), pending requests with why they wait, and recent builds. It refreshes
/// itself every few seconds.
struct WebPage: Sendable {
    let runtime: MasterRuntime

    func register(on router: Router<MasterRequestContext>) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: Self.html(title: runtime.config.title))))
        }
    }

    static func html(title: String) -> String {
        let safe = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(safe)</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.5em}
        table{border-collapse:collapse;width:100%} td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
        .r0{background:#dfd}.r1{background:#ffd}.r2,.r4{background:#fdd}.r3{background:#eee}.r5{background:#def}.r6{background:#fed}
        .muted{color:#777} code{font-size:12px}
        </style></head><body>
        <h1>\(safe)</h1>
        <h2>Workers</h2><table id="workers"></table>
        <h2>Pending build requests</h2><table id="pending"></table>
        <h2>Recent builds</h2><table id="builds"></table>
        <script>
        const esc=s=>String(s??'').replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
        const t=s=>s?new Date(s*1000).toLocaleString():'';
        async function get(p){const r=await fetch('/api/v2/'+p);return r.json();}
        async function refresh(){
          const [w,p,b]=await Promise.all([get('workers'),get('buildrequests?claimed=false&complete=false'),get('builds?limit=30')]);
          document.getElementById('workers').innerHTML='<tr><th>worker</th><th>connected</th><th>builds</th><th>load</th><th>availability</th></tr>'+
            w.workers.map(x=>`<tr><td>${esc(x.name)}</td><td>${x.connected?'yes':'no'}${x.paused?' (paused: '+esc(x.pause_reason)+')':''}</td>`+
            `<td>${x.running_builds.length}/${x.max_builds}</td><td>${x.load?x.load.load1.toFixed(2):''}</td>`+
            `<td>${x.availability?esc(x.availability.state)+(x.availability.reason?': '+esc(x.availability.reason):'')+(x.availability.until_text?' <span class=muted>'+esc(x.availability.until_text)+'</span>':''):''}</td></tr>`).join('');
          document.getElementById('pending').innerHTML='<tr><th>request</th><th>builder</th><th>submitted</th><th>why it waits</th></tr>'+
            p.buildrequests.map(x=>`<tr><td>${x.buildrequestid}</td><td>${esc(x.builder)}</td><td>${t(x.submitted_at)}</td><td>`+
            (x.waiting_reasons||[]).map(r=>(r.worker?'<b>'+esc(r.worker)+'</b>: ':'')+esc(r.reason)+(r.until?' <span class=muted>until '+t(r.until)+'</span>':'')).join('<br>')+`</td></tr>`).join('');
          document.getElementById('builds').innerHTML='<tr><th>build</th><th>worker</th><th>started</th><th>result</th><th>state</th></tr>'+
            b.builds.map(x=>`<tr class="r${x.results??''}"><td>${esc(x.builder)} #${x.number}</td><td>${esc(x.workername)}</td><td>${t(x.started_at)}</td>`+
            `<td>${esc(x.results_name??'running')}</td><td>${esc(x.state_string)}</td></tr>`).join('');
        }
        refresh();setInterval(refresh,3000);
        </script></body></html>
        """
    }
}
