#!/usr/bin/env python3
"""The HTML viewer of `dirtyrace show` in a real browser: headless Chromium, driven over the
DevTools protocol through a pipe (--remote-debugging-pipe), so no port is opened and nothing but
Python's standard library is needed.

It makes the 2.6.19 lost-write trace and a 4.19 trace with two processes' TLBs with the built
dirtyrace, renders each as HTML, opens the file, steps through it with key presses and a click,
and checks the DOM against states it computes itself from the trace JSON: the selected row, and
every value and highlight of the state panel after every step, and the TLB table's CPU x
(mapping, page) layout. It fails on any script error or console error, checks the print
stylesheet, and saves a screenshot and a PDF next to the page. To prove it would notice, it also
loads a copy of the page with a script error and expects to see it.

usage: viewer_test.py --dirtyrace BUILD/cli/dirtyrace --out DIR [--chromium PATH]
"""

import argparse
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 30  # seconds for any one browser command or page load


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Browser:
    """Headless Chromium with its DevTools endpoint on file descriptors 3 (commands in) and 4
    (replies and events out), messages separated by NUL bytes."""

    def __init__(self, executable, profile):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # in the child: the pipe ends on fds 3 and 4, as Chromium expects
            r, w = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [executable, '--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--remote-debugging-pipe', '--no-first-run',
                '--no-default-browser-check', '--disable-extensions', '--disable-sync',
                '--disable-background-networking', '--disable-component-update',
                '--user-data-dir=' + profile, 'about:blank']
        # Its chatter goes to a file: a pipe nobody reads could fill and stall it.
        self._log = open(os.path.join(profile, 'stderr.log'), 'w+b')
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            preexec_fn=wire_pipes, pass_fds=(3, 4), start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b''
        self._next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b'\0' not in self._buffer:
            left = deadline - time.monotonic()
            check(left > 0, 'the browser did not answer within %d s' % TIMEOUT)
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    self._log.seek(0)
                    err = self._log.read().decode(errors='replace')[-2000:]
                    raise Failure('the browser closed its DevTools pipe; its stderr ends:\n' + err)
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b'\0', 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        self._next_id += 1
        message = {'id': self._next_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(self._to_browser, json.dumps(message).encode() + b'\0')
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get('id') == self._next_id:
                check('error' not in reply, '%s failed: %s' % (method, reply.get('error')))
                return reply['result']
            self.events.append(reply)

    def wait_for_event(self, method, session):
        deadline = time.monotonic() + TIMEOUT
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e.get('method') == method and e.get('sessionId') == session:
                    self.events.remove(e)
                    return e
            seen = len(self.events)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            os.write(self._to_browser, json.dumps(
                {'id': 0, 'method': 'Browser.close', 'params': {}}).encode() + b'\0')
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this test started
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()


class Page:
    """One tab, with every script and console error it reports kept in `errors`."""

    def __init__(self, browser, url):
        self.browser = browser
        target = browser.send('Target.createTarget', {'url': 'about:blank'})['targetId']
        self.session = browser.send('Target.attachToTarget',
                                    {'targetId': target, 'flatten': True})['sessionId']
        for domain in ('Page', 'Runtime', 'Log'):
            self.send(domain + '.enable')
        self.send('Emulation.setDeviceMetricsOverride',
                  {'width': 1366, 'height': 768, 'deviceScaleFactor': 1, 'mobile': False})
        self.send('Page.navigate', {'url': url})
        browser.wait_for_event('Page.loadEventFired', self.session)
        self.send('Page.bringToFront')

    def send(self, method, params=None):
        return self.browser.send(method, params, self.session)

    def errors(self):
        out = []
        for e in self.browser.events:
            if e.get('sessionId') != self.session:
                continue
            p = e.get('params', {})
            if e['method'] == 'Runtime.exceptionThrown':
                d = p['exceptionDetails']
                out.append('script error: %s %s' % (
                    d.get('text', ''), d.get('exception', {}).get('description', '')))
            elif e['method'] == 'Runtime.consoleAPICalled' and p['type'] in ('error', 'assert'):
                out.append('console.%s: %s' % (p['type'], [a.get('value') for a in p['args']]))
            elif e['method'] == 'Log.entryAdded' and p['entry']['level'] == 'error':
                out.append('browser log: %s' % p['entry']['text'])
        return out

    def eval(self, expression):
        r = self.send('Runtime.evaluate', {'expression': expression, 'returnByValue': True})
        check('exceptionDetails' not in r,
              'evaluating %s threw %s' % (expression, r.get('exceptionDetails')))
        return r['result'].get('value')

    KEYS = {'ArrowDown': ('ArrowDown', 40), 'ArrowUp': ('ArrowUp', 38), 'Home': ('Home', 36),
            'End': ('End', 35), 'j': ('KeyJ', 74), 'k': ('KeyK', 75)}

    def press(self, key):
        code, vk = self.KEYS[key]
        for kind in ('keyDown', 'keyUp'):
            self.send('Input.dispatchKeyEvent', {'type': kind, 'key': key, 'code': code,
                                                 'windowsVirtualKeyCode': vk})

    def click(self, selector):
        # Scrolled into view first: on a long trace the row may be off screen.
        box = self.eval('(() => { const e = document.querySelector(%s);'
                        ' e.scrollIntoView({block: "center"});'
                        ' const r = e.getBoundingClientRect();'
                        ' return [r.x + r.width / 2, r.y + r.height / 2]; })()'
                        % json.dumps(selector))
        for kind in ('mousePressed', 'mouseReleased'):
            self.send('Input.dispatchMouseEvent', {'type': kind, 'x': box[0], 'y': box[1],
                                                   'button': 'left', 'clickCount': 1})

    def selected(self):
        return self.eval('[...document.querySelectorAll("#steps tr.selected")]'
                         '.map(r => Number(r.dataset.step))')

    def panel(self):
        """The state panel's cells: {(object, attribute): (value, shown text, changed)}."""
        cells = self.eval('[...document.querySelectorAll("#state td[data-object]")].map(td =>'
                          ' [td.dataset.object, td.dataset.attribute, td.dataset.value,'
                          '  td.querySelector(".now").textContent,'
                          '  td.classList.contains("changed")])')
        return {(o, a): (v, text, changed) for o, a, v, text, changed in cells}


def expected_states(trace):
    """The state after each step (index 0: the initial state), and what each step changed,
    computed from the trace JSON: changes apply in order, an actor's position follows 'next'."""
    state = {(v['object'], v['attribute']): v['value'] for v in trace['initial_state']}
    states, changed = [dict(state)], [set()]
    for s in trace['steps']:
        now = set()
        for c in s['changes']:
            k = (c['object'], c['attribute'])
            check(state.get(k, '') == c['from'],
                  'the trace itself is inconsistent at step %d, %s' % (s['index'], k))
            if c['to']:
                state[k] = c['to']
            else:
                state.pop(k, None)
            now.add(k)
        if s['next'] and state.get((s['actor'], 'at')) != s['next']:
            state[(s['actor'], 'at')] = s['next']
            now.add((s['actor'], 'at'))
        states.append(dict(state))
        changed.append(now)
    return states, changed


def run(cmd, expect):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    check(r.returncode == expect, '%s exited %d (expected %d): %s' % (
        ' '.join(cmd), r.returncode, expect, r.stderr.strip()))


def test_viewer(browser, page_path, trace, out_dir, shot_name):
    steps = trace['steps']
    states, changed = expected_states(trace)
    page = Page(browser, 'file://' + page_path)
    check(not page.errors(), 'the page reported errors:\n  ' + '\n  '.join(page.errors()))

    lanes = [v['object'] for v in trace['initial_state'] if v['attribute'] == 'at'] + ['disk']
    check(page.eval('[...document.querySelectorAll("#steps thead th[data-lane]")]'
                    '.map(th => th.textContent)') == lanes, 'the lanes are not ' + str(lanes))
    rows = page.eval('[...document.querySelectorAll("#steps tr.step")].map(r => [r.dataset.step,'
                     ' [...r.children].findIndex(c => c.classList.contains("act")),'
                     ' (r.querySelector(".fn") || {}).textContent])')
    check(len(rows) == len(steps) + 1, 'expected %d rows, found %d' % (len(steps) + 1, len(rows)))
    for i, s in enumerate(steps, 1):
        name = s['function'] + ': ' + s['step'] + (
            ' (block %d)' % s['block'] if 'block' in s else '')
        check(rows[i] == [str(i), 1 + lanes.index(s['actor']), name],
              'row %d is %s, expected step "%s" in lane %s' % (i, rows[i], name, s['actor']))

    def expect_step(index):
        check(page.selected() == [index], 'selected %s, expected step %d' % (page.selected(), index))
        title = page.eval('document.getElementById("state-title").textContent')
        check(title == ('Initial state' if index == 0 else
                        'After step %d of %d' % (index, len(steps))), 'panel title ' + title)
        cells = page.panel()
        for k, v in states[index].items():
            check(k in cells, 'step %d: the panel has no %s' % (index, k))
            check(cells[k][0] == v and cells[k][1] == v,
                  'step %d: %s shows %s, expected %s' % (index, k, cells[k][:2], v))
        for k, (v, _, is_changed) in cells.items():
            check(k in states[index] or v == '', 'step %d: %s shows %s, not in the state'
                  % (index, k, v))
            check(is_changed == (k in changed[index]),
                  'step %d: %s %s highlighted' % (index, k, 'is' if is_changed else 'is not'))

    expect_step(0)
    for i in range(1, len(steps) + 1):  # every step, alternating the two keys for "next"
        page.press('ArrowDown' if i % 2 else 'j')
        expect_step(i)
    page.press('ArrowDown')  # past the end stays at the end
    expect_step(len(steps))
    note = page.eval('document.getElementById("violation-note").textContent')
    check(trace['property']['name'] in note and trace['property']['detail'] in note,
          'the last step does not explain the violation: ' + note)
    page.press('k')
    expect_step(len(steps) - 1)
    check(page.eval('document.getElementById("violation-note")') is None,
          'the violation note stays before the last step')
    page.press('ArrowUp')
    expect_step(len(steps) - 2)
    page.press('Home')
    expect_step(0)
    page.press('End')
    expect_step(len(steps))
    page.click('#steps tr[data-step="5"] td.act')
    expect_step(5)
    page.click('#steps tr[data-step="7"] th.index')
    expect_step(7)

    shot = page.send('Page.captureScreenshot', {'format': 'png'})['data']
    with open(os.path.join(out_dir, shot_name + '.png'), 'wb') as f:
        f.write(base64.b64decode(shot))

    # On paper: every step and the final state, no state panel and no help line.
    page.send('Emulation.setEmulatedMedia', {'media': 'print'})
    shown = page.eval('["#state", ".help", "#final-state", "#violation"].map(s =>'
                      ' getComputedStyle(document.querySelector(s)).display)')
    check(shown[0] == 'none' and shown[1] == 'none' and 'none' not in shown[2:],
          'print stylesheet: display of panel, help, final state, violation = %s' % shown)
    final = page.eval('[...document.querySelectorAll("#final-state td[data-object]")]'
                      '.map(td => [td.dataset.object, td.dataset.attribute, td.dataset.value])')
    check({(o, a): v for o, a, v in final if v} == states[-1],
          'the printed final state differs from the trace')
    check(page.eval('[...document.querySelectorAll("#steps tr.step")]'
                    '.every(r => getComputedStyle(r).display !== "none")'), 'a step is not printed')
    pdf = base64.b64decode(page.send('Page.printToPDF', {'paperWidth': 8.27,
                                                         'paperHeight': 11.69})['data'])
    check(pdf.startswith(b'%PDF'), 'printing gave no PDF')
    with open(os.path.join(out_dir, shot_name + '.pdf'), 'wb') as f:
        f.write(pdf)

    check(not page.errors(), 'the page reported errors:\n  ' + '\n  '.join(page.errors()))
    return page


def test_tlb_grid(page, trace):
    """The TLB table is a CPU x (mapping, page) grid: a row per writer thread's CPU, a column per
    mapping and page, and a CPU's cells only under its own process's mapping."""
    grid = page.eval('(() => { const h = [...document.querySelectorAll("#state h3")]'
                     '.find(h => h.textContent.startsWith("TLBs")); if (!h) return null;'
                     ' const t = h.nextElementSibling;'
                     ' return { cols: [...t.querySelectorAll("thead th")].slice(1)'
                     '.map(th => th.textContent),'
                     ' rows: [...t.querySelectorAll("tbody tr")].map(tr =>'
                     ' [tr.querySelector("th").textContent, [...tr.querySelectorAll("td")]'
                     '.map(td => td.dataset.attribute || "")]) }; })()')
    check(grid is not None, 'the state panel has no TLB table')
    sc = trace['scenario']
    pairs = ['m%d.p%d' % (m, p) for m in range(sc['mappings']) for p in range(sc['pages'])]
    check(grid['cols'] == pairs, 'TLB columns %s, expected %s' % (grid['cols'], pairs))
    writers = [a for a in sc['actors'] if a['kind'] == 'writer']
    expected = []
    for i, w in enumerate(writers):
        cells = ['writer%d.p%s' % (i, pair.split('.p')[1])
                 if pair.startswith('m%d.' % w['mapping']) else '' for pair in pairs]
        expected.append(["writer%d's CPU" % i, cells])
    check(grid['rows'] == expected, 'TLB rows %s, expected %s' % (grid['rows'], expected))


def test_errors_grid(page):
    """A trace with a failed write has a table of where the error is kept, a row per object:
    the device's count, the mapping, and each open file."""
    rows = page.eval('(() => { const h = [...document.querySelectorAll("#state h3")]'
                     '.find(h => h.textContent.startsWith("Write errors")); if (!h) return null;'
                     ' return [...h.nextElementSibling.querySelectorAll("tbody tr th")]'
                     '.map(th => th.textContent); })()')
    check(rows is not None, 'the state panel has no write-errors table')
    check(rows == ['errors', 'mapping', 'file0', 'file1'],
          'write-errors rows %s, expected errors, mapping, file0, file1' % rows)


def test_alloc_column(page):
    """An ext4 trace with holes shows each block's allocation (mapped, hole, delayed) beside its
    buffer bits."""
    cols = page.eval('(() => { const h = [...document.querySelectorAll("#state h3")]'
                     '.find(h => h.textContent.startsWith("Buffers")); if (!h) return null;'
                     ' return [...h.nextElementSibling.querySelectorAll("thead th")]'
                     '.map(th => th.textContent); })()')
    check(cols is not None, 'the state panel has no buffers table')
    check('alloc' in cols, 'buffer columns %s have no alloc' % cols)


def test_harness_sees_script_errors(browser, page_path, out_dir):
    """A copy of the page with a script error must be caught, or a green run proves nothing."""
    with open(page_path, encoding='utf-8') as f:
        html = f.read()
    broken = os.path.join(out_dir, 'broken.html')
    with open(broken, 'w', encoding='utf-8') as f:
        f.write(html.replace('</body>', '<script>no_such_function();</script></body>'))
    errors = Page(browser, 'file://' + broken).errors()
    check(any('no_such_function' in e for e in errors),
          'a deliberate script error went unnoticed: %s' % errors)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--dirtyrace', required=True)
    parser.add_argument('--out', required=True, help='directory for the page and the screenshot')
    parser.add_argument('--chromium', help='the browser (default: chromium on PATH)')
    args = parser.parse_args()
    chromium = args.chromium or shutil.which('chromium') or shutil.which('chromium-browser')
    if not chromium:
        print('viewer_test: FAILED: no chromium on PATH; install Debian\'s chromium package '
              '(./build.sh test does)', file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    out_dir = os.path.abspath(args.out)

    def make_page(name, check_args):
        trace_path = os.path.join(out_dir, name + '.json')
        page_path = os.path.join(out_dir, name + '.html')
        run([args.dirtyrace, 'check', '--quiet'] + check_args + ['--trace-out', trace_path],
            expect=1)
        run([args.dirtyrace, 'show', trace_path, '--format', 'html', '-o', page_path], expect=0)
        with open(trace_path, encoding='utf-8') as f:
            trace = json.load(f)
        with open(page_path, encoding='utf-8') as f:
            html = f.read()
        for needle in ('http://', 'https://', 'src=', '<link'):
            check(needle not in html, 'the page refers to something outside itself: ' + needle)
        return page_path, trace

    page_path, trace = make_page('lost_write', ['--variant', 'linux-2.6.19', '--actors',
                                                'writer,journal,flusher'])
    # Two processes, each a writer thread on its own CPU, and a munmap: TLB entries and flushes.
    tlb_path, tlb_trace = make_page('tlb', ['--variant', 'linux-4.19', '--mappings', '2',
                                            '--actors', 'writer,writer,munmap@1,flusher,msync'])

    # fsyncgate on 4.9: a failed write, AS_EIO, and two open files.
    err_path, err_trace = make_page('errors', ['--variant', 'linux-4.9', '--io-errors', '1',
                                               '--actors', 'writer,fsync,fsync'])

    # 1c8349a1 on 3.14: ext4's delayed allocation, jbd2's writepage drops TOWRITE.
    ext4_path, ext4_trace = make_page('ext4', ['--variant', 'linux-3.14', '--fs', 'ext4',
                                               '--holes', '0', '--actors', 'writer,journal,fsync'])

    def out_of_time(*_):
        raise Failure('the browser test took longer than 240 s')

    signal.signal(signal.SIGALRM, out_of_time)  # a last resort; the finally below ends the browser
    signal.alarm(240)
    with tempfile.TemporaryDirectory(prefix='dirtyrace-chromium-') as profile:
        browser = Browser(chromium, profile)
        try:
            test_viewer(browser, page_path, trace, out_dir, 'viewer')
            test_tlb_grid(test_viewer(browser, tlb_path, tlb_trace, out_dir, 'viewer-tlb'),
                          tlb_trace)
            test_errors_grid(test_viewer(browser, err_path, err_trace, out_dir, 'viewer-errors'))
            test_alloc_column(test_viewer(browser, ext4_path, ext4_trace, out_dir, 'viewer-ext4'))
            test_harness_sees_script_errors(browser, page_path, out_dir)
        finally:
            browser.close()
    print('viewer_test: %d + %d + %d + %d steps checked in %s; screenshots %s, %s' % (
        len(trace['steps']), len(tlb_trace['steps']), len(err_trace['steps']),
        len(ext4_trace['steps']), chromium,
        os.path.join(out_dir, 'viewer.png'), os.path.join(out_dir, 'viewer-tlb.png')))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Failure as e:
        print('viewer_test: FAILED: %s' % e, file=sys.stderr)
        sys.exit(1)
