"""The Python side of polyproc.embed.PythonProcess: a Java host starts 'module:function' as a
multiprocessing.Process of its Context. Arguments come as JSON; the result goes back as JSON on
a pipe of its own, {"value": ...} or {"error": "..."}; stdout and stderr go to pipes the host
reads, or stay the Context's."""
import json
import os


def start(module, function, args_json, name, result_fd, out_fd, err_fd):
    """Start the Process; return its Java ChildHandle. Takes ownership of the three descriptors."""
    import multiprocessing
    from multiprocessing.connection import Connection
    conns = [None if fd < 0 else Connection(fd, readable=False) for fd in (result_fd, out_fd, err_fd)]
    try:
        process = multiprocessing.Process(target=_run, name=name,
                                          args=(module, function, args_json, *conns))
        process.start()
    finally:
        for conn in conns:
            if conn is not None:
                conn.close()
    return process._popen._child


def _run(module, function, args_json, result, out, err):
    import sys
    for conn, fd, stream in ((out, 1, sys.stdout), (err, 2, sys.stderr)):
        if conn is not None:
            stream.flush()
            os.dup2(conn.fileno(), fd)
            conn.close()
    try:
        import importlib
        target = importlib.import_module(module)
        for part in function.split('.'):
            target = getattr(target, part)
        value = target(*json.loads(args_json))
    except BaseException as e:
        if not isinstance(e, SystemExit):
            _send(result, {'error': '%s: %s' % (type(e).__name__, e)})
        raise  # Process._bootstrap prints it and exits 1, as for any Process
    try:
        message = json.dumps({'value': value})
    except (TypeError, ValueError) as e:
        message = json.dumps({'error': 'the result is not a plain value: %s' % e})
        _send(result, message)
        sys.exit(1)
    _send(result, message)


def _send(result, message):
    if not isinstance(message, str):
        message = json.dumps(message)
    data = message.encode('utf-8')
    fd = result.fileno()
    while data:
        data = data[os.write(fd, data):]
    result.close()
