"""Executes notebooks headlessly with the project kernel (nbclient) and writes the executed .ipynb and a
self-contained .html per notebook. Called by scripts/reproduce.js; prints a JSON summary line at the end.

usage: python execute_notebooks.py OUTPUT_DIR KERNEL_NAME TIMEOUT NOTEBOOK...
       python execute_notebooks.py OUTPUT_DIR KERNEL_NAME TIMEOUT -
With "-" it reads notebook paths from stdin, one a line, and prints "RESULT {json}" after each, so that the caller
can hand the next notebook to whichever executor is free (a shared queue keeps parallel kernels equally busy).
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter


def cell_failure(nb, failed_index=None):
    """The failing code cell: the one nbclient reported (tslab reports a compile error in the execute reply only,
    with the diagnostic in stderr), else the first with an error output."""
    code_no = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_no += 1
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors or i == failed_index:
            errors = errors or [{}]
            stderr = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
            e = errors[0]
            return {"cell": i + 1, "code_cell": code_no, "ename": e.get("ename", ""), "evalue": e.get("evalue", ""),
                    "stderr": stderr, "source": cell.source}
    return None


def main():
    out_dir, kernel_name, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    notebooks = sys.argv[4:]
    os.makedirs(out_dir, exist_ok=True)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    results = []
    from_stdin = notebooks == ["-"]
    for path in (line.strip() for line in iter(sys.stdin.readline, "")) if from_stdin else notebooks:
        if not path:
            continue
        name = os.path.splitext(os.path.basename(path))[0]
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=kernel_name, timeout=timeout, allow_errors=False,
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        t0 = time.time()
        failure = None
        failed = {}
        client.on_cell_error = lambda cell, cell_index, execute_reply: failed.setdefault("index", cell_index)
        print(f"[reproduce] {path} ...", file=sys.stderr, flush=True)
        try:
            client.execute()
        except CellTimeoutError as e:
            failure = cell_failure(nb, failed.get("index")) or {"cell": None, "ename": "Timeout", "evalue": str(e).splitlines()[0], "stderr": ""}
        except DeadKernelError as e:
            failure = {"cell": None, "ename": "DeadKernel", "evalue": str(e), "stderr": ""}
        except CellExecutionError as e:
            failure = cell_failure(nb, failed.get("index")) or {"cell": None, "ename": "", "evalue": "", "stderr": ""}
            failure["ename"] = failure["ename"] or e.ename
            failure["evalue"] = failure["evalue"] or e.evalue
        seconds = time.time() - t0
        ipynb_out = os.path.join(out_dir, name + ".ipynb")
        html_out = os.path.join(out_dir, name + ".html")
        nbformat.write(nb, ipynb_out)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
        with open(html_out, "w", encoding="utf-8") as f:
            f.write(body)
        results.append({"notebook": path, "ipynb": ipynb_out, "html": html_out, "seconds": round(seconds, 1), "failure": failure})
        status = "FAILED" if failure else "ok"
        print(f"[reproduce] {path}: {status} in {seconds:.1f} s -> {html_out}", file=sys.stderr, flush=True)
        if from_stdin:
            print("RESULT " + json.dumps(results[-1]), flush=True)
    print("RESULTS " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
