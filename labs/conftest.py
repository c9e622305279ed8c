"""In the workbook's own test run, only ``labs/tests`` (the checks of the labs) is collected.

Each lab's tests are meant to run against one student's code, chosen by ``workbook lab`` with
the labs' own pytest.ini; collected from here they would test nothing in particular.
"""

collect_ignore_glob = ["[0-9][0-9]-*", "_shared"]
