import http.server, sys, threading
class H(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers['Content-Length']); body = self.rfile.read(n)
        name = 'offer-simulcast.sdp' if 'simulcast' in self.path else 'offer.sdp'
        open(name, 'wb').write(body)
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 18765), H)
s.serve_forever()
