# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'approve_deny_dialog.ui'
##
## Created by: Qt User Interface Compiler
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QMetaObject, Qt)
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QSpacerItem, QVBoxLayout, QWidget)

class Ui_ApproveDenyDialog(object):
    def setupUi(self, ApproveDenyDialog):
        if not ApproveDenyDialog.objectName():
            ApproveDenyDialog.setObjectName(u"ApproveDenyDialog")
        ApproveDenyDialog.resize(780, 440)
        self.layout = QVBoxLayout(ApproveDenyDialog)
        self.layout.setSpacing(12)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(20, 18, 20, 16)
        self.headingLabel = QLabel(ApproveDenyDialog)
        self.headingLabel.setObjectName(u"headingLabel")
        self.headingLabel.setWordWrap(True)

        self.layout.addWidget(self.headingLabel)

        self.detailsLabel = QLabel(ApproveDenyDialog)
        self.detailsLabel.setObjectName(u"detailsLabel")
        self.detailsLabel.setWordWrap(True)

        self.layout.addWidget(self.detailsLabel)

        self.accountsTable = QVBoxLayout()
        self.accountsTable.setSpacing(0)
        self.accountsTable.setObjectName(u"accountsTable")
        self.accountsHeader = QWidget(ApproveDenyDialog)
        self.accountsHeader.setObjectName(u"accountsHeader")

        self.accountsTable.addWidget(self.accountsHeader)

        self.accountsArea = QScrollArea(ApproveDenyDialog)
        self.accountsArea.setObjectName(u"accountsArea")
        self.accountsArea.setFocusPolicy(Qt.NoFocus)
        self.accountsArea.setWidgetResizable(True)
        self.accountsGrid = QWidget()
        self.accountsGrid.setObjectName(u"accountsGrid")
        self.accountsLayout = QGridLayout(self.accountsGrid)
        self.accountsLayout.setObjectName(u"accountsLayout")
        self.accountsArea.setWidget(self.accountsGrid)

        self.accountsTable.addWidget(self.accountsArea)


        self.layout.addLayout(self.accountsTable)

        self.hintLabel = QLabel(ApproveDenyDialog)
        self.hintLabel.setObjectName(u"hintLabel")
        self.hintLabel.setWordWrap(True)

        self.layout.addWidget(self.hintLabel)

        self.buttonRow = QHBoxLayout()
        self.buttonRow.setObjectName(u"buttonRow")
        self.denyButton = QPushButton(ApproveDenyDialog)
        self.denyButton.setObjectName(u"denyButton")

        self.buttonRow.addWidget(self.denyButton)

        self.buttonSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.buttonRow.addItem(self.buttonSpacer)

        self.cancelButton = QPushButton(ApproveDenyDialog)
        self.cancelButton.setObjectName(u"cancelButton")

        self.buttonRow.addWidget(self.cancelButton)

        self.approveButton = QPushButton(ApproveDenyDialog)
        self.approveButton.setObjectName(u"approveButton")

        self.buttonRow.addWidget(self.approveButton)


        self.layout.addLayout(self.buttonRow)

        QWidget.setTabOrder(self.denyButton, self.cancelButton)
        QWidget.setTabOrder(self.cancelButton, self.approveButton)

        self.retranslateUi(ApproveDenyDialog)

        QMetaObject.connectSlotsByName(ApproveDenyDialog)
    # setupUi

    def retranslateUi(self, ApproveDenyDialog):
        ApproveDenyDialog.setWindowTitle(QCoreApplication.translate("ApproveDenyDialog", u"Approve/Deny", None))
#if QT_CONFIG(accessibility)
        self.accountsArea.setAccessibleName(QCoreApplication.translate("ApproveDenyDialog", u"Requested accounts", None))
#endif // QT_CONFIG(accessibility)
        self.hintLabel.setText(QCoreApplication.translate("ApproveDenyDialog", u"Check Give Rights for each account you allow, and choose its Granted Rights. You are not bound by the access type the third party asked for.", None))
        self.denyButton.setText(QCoreApplication.translate("ApproveDenyDialog", u"Deny All", None))
#if QT_CONFIG(accessibility)
        self.denyButton.setAccessibleName(QCoreApplication.translate("ApproveDenyDialog", u"Deny All", None))
#endif // QT_CONFIG(accessibility)
        self.cancelButton.setText(QCoreApplication.translate("ApproveDenyDialog", u"Cancel", None))
#if QT_CONFIG(accessibility)
        self.cancelButton.setAccessibleName(QCoreApplication.translate("ApproveDenyDialog", u"Cancel", None))
#endif // QT_CONFIG(accessibility)
        self.approveButton.setText(QCoreApplication.translate("ApproveDenyDialog", u"Approve", None))
#if QT_CONFIG(accessibility)
        self.approveButton.setAccessibleName(QCoreApplication.translate("ApproveDenyDialog", u"Approve", None))
#endif // QT_CONFIG(accessibility)
    # retranslateUi

