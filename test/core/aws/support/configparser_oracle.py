"""Reads files the way botocore does and reports what Python's parser made of each.

Input on stdin: one JSON string per line, the file's bytes in base64. Output: one JSON object
per line, in the same order. botocore calls RawConfigParser() with default options and reads
the file as UTF-8 text with universal newlines; io.StringIO(newline=None) reproduces that.
"""
import base64
import configparser
import io
import json
import sys


def read(data):
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        return {'ok': False, 'error': 'UnicodeDecodeError', 'lines': []}
    parser = configparser.RawConfigParser()
    try:
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.MissingSectionHeaderError as error:
        return {'ok': False, 'error': type(error).__name__, 'lines': [error.lineno]}
    except configparser.ParsingError as error:
        lines = [lineno for lineno, _ in error.errors]
        return {'ok': False, 'error': type(error).__name__, 'lines': lines}
    except configparser.Error as error:
        return {'ok': False, 'error': type(error).__name__, 'lines': [error.lineno]}
    return {
        'ok': True,
        'sections': [[name, list(values.items())] for name, values in parser._sections.items()],
        'defaults': list(parser._defaults.items()),
    }


for line in sys.stdin:
    print(json.dumps(read(base64.b64decode(json.loads(line)))))
